package runtime

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// modinfo returns what modinfo(8) prints for the script's NAME.ko: the
// .modinfo tags of the source (MODULE_* in reverse declaration order, as
// the linker lays them out), the tags modpost adds, then the parameters.
// Unlike Linux, the file lives nowhere: filename is the simulated user's
// workshop folder (the shell's working directory).
func (s *script) modinfo() []string {
	var lines []string
	add := func(k, v string) { lines = append(lines, fmt.Sprintf("%-16s%s", k+":", v)) }
	add("filename", "/home/student/kernel-memory/"+s.ko)
	tags := s.probe.tags
	for i := len(tags) - 1; i >= 0; i-- {
		add(tags[i].key, tags[i].value)
	}
	add("srcversion", s.srcversion())
	add("depends", "")
	add("retpoline", "Y")
	add("name", s.name)
	add("vermagic", "6.1.0-28-amd64 SMP preempt mod_unload modversions ")
	params := s.probe.params
	for i := len(params) - 1; i >= 0; i-- {
		p := params[i]
		if p.desc == "" { // no MODULE_PARM_DESC: kmod prints the type alone
			add("parm", fmt.Sprintf("%s (%s)", p.name, p.typ))
			continue
		}
		add("parm", fmt.Sprintf("%s:%s (%s)", p.name, p.desc, p.typ))
	}
	return lines
}

// srcversion stands in for modpost's MD4 of the module's sources: 23
// upper-case hex digits that change when the script does.
func (s *script) srcversion() string {
	sum := sha256.Sum256(s.src)
	return strings.ToUpper(fmt.Sprintf("%x", sum[:12])[:23])
}
