package runtime

import (
	"errors"
	"fmt"
	"io"

	"kscript.dev/kscript/kernelsim"
)

// errNoUserSpace is returned while kernelsim has no user processes.
var errNoUserSpace = errors.New("user programs: user space is not simulated yet")

// exec runs user program name as ./name.
func (m *Machine) exec(name string, args []string, stdout io.Writer) (int, error) {
	for _, s := range m.scripts {
		if _, ok := s.probe.program(name); ok {
			return 0, errNoUserSpace
		}
	}
	return 127, fmt.Errorf("bash: ./%s: No such file or directory", name)
}

func (e *env) userRead(a kernelsim.Addr, buf []byte) error   { return errNoUserSpace }
func (e *env) userWrite(a kernelsim.Addr, data []byte) error { return errNoUserSpace }
func (e *env) userCString(a kernelsim.Addr, max uint64) (string, error) {
	return "", errNoUserSpace
}
func (e *env) userPrint(s string) {}
