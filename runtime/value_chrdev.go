package runtime

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"

	"kscript.dev/kscript/kernelsim"
)

// Handles of the char-device layer: the driver's file_operations, and the
// inode, file and loff_t * its handlers receive.

// Fops is a struct file_operations *: the kernelsim operations whose
// handlers call the script's functions.
type Fops struct {
	f  *kernelsim.FileOperations
	id handleID
}

func (f Fops) String() string        { return fmt.Sprintf("(struct file_operations *)#%d", f.id) }
func (f Fops) Type() string          { return "struct file_operations *" }
func (f Fops) Freeze()               {}
func (f Fops) Truth() starlark.Bool  { return true }
func (f Fops) Hash() (uint32, error) { return uint32(f.id), nil }

// Inode is a struct inode *: imajor(inode) and iminor(inode) read it.
type Inode struct{ i *kernelsim.Inode }

var _ starlark.HasAttrs = Inode{}

func (i Inode) String() string        { return fmt.Sprintf("(struct inode *)%d", i.i.Ino) }
func (i Inode) Type() string          { return "struct inode *" }
func (i Inode) Freeze()               {}
func (i Inode) Truth() starlark.Bool  { return true }
func (i Inode) Hash() (uint32, error) { return uint32(i.i.Ino), nil }
func (i Inode) AttrNames() []string   { return []string{"i_rdev", "i_size"} }

func (i Inode) Attr(name string) (starlark.Value, error) {
	switch name {
	case "i_rdev":
		return starlark.MakeUint64(uint64(i.i.Rdev)), nil
	case "i_size":
		return starlark.MakeInt64(i.i.Size), nil
	}
	return nil, nil
}

// File is a struct file *: filp.private_data is the driver's to set and
// read; f_pos, f_flags and f_mode mirror the struct's fields.
type File struct{ f *kernelsim.File }

var _ starlark.HasSetField = File{}

func (f File) String() string        { return fmt.Sprintf("(struct file *)%s", f.f.Path) }
func (f File) Type() string          { return "struct file *" }
func (f File) Freeze()               {}
func (f File) Truth() starlark.Bool  { return true }
func (f File) Hash() (uint32, error) { return starlark.String(f.f.Path).Hash() }

var fileAttrs = []string{"f_flags", "f_mode", "f_pos", "private_data"}

func (f File) AttrNames() []string { return fileAttrs }

func (f File) Attr(name string) (starlark.Value, error) {
	switch name {
	case "private_data":
		if v, ok := f.f.PrivateData.(starlark.Value); ok {
			return v, nil
		}
		return Ptr{}, nil // NULL, or what another layer keeps there
	case "f_pos":
		return starlark.MakeInt64(f.f.Pos), nil
	case "f_flags":
		return starlark.MakeInt(f.f.Flags), nil
	case "f_mode":
		return starlark.MakeUint64(uint64(f.f.Mode)), nil
	}
	return nil, nil
}

// SetField sets filp->private_data (any value) or filp->f_pos.
func (f File) SetField(name string, v starlark.Value) error {
	switch name {
	case "private_data":
		f.f.PrivateData = v
		return nil
	case "f_pos":
		n, err := cInteger(v, "loff_t")
		if err != nil {
			return fmt.Errorf(".f_pos: %v", err)
		}
		f.f.Pos = int64(n)
		return nil
	}
	i := sort.SearchStrings(fileAttrs, name)
	if i < len(fileAttrs) && fileAttrs[i] == name {
		return fmt.Errorf("cannot assign to .%s of a struct file", name)
	}
	return starlark.NoSuchAttrError(fmt.Sprintf("struct file has no member named '%s'", name))
}

// Offset is the loff_t * a read or write handler gets: offset[0] is
// *offset, which the handler advances.
type Offset struct{ p *int64 }

var _ starlark.HasSetKey = Offset{}

func (o Offset) String() string        { return fmt.Sprintf("(loff_t *)&%d", *o.p) }
func (o Offset) Type() string          { return "loff_t *" }
func (o Offset) Freeze()               {}
func (o Offset) Truth() starlark.Bool  { return o.p != nil }
func (o Offset) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: loff_t *") }

// Get implements offset[0].
func (o Offset) Get(k starlark.Value) (starlark.Value, bool, error) {
	if err := offsetIndex(k); err != nil {
		return nil, false, err
	}
	return starlark.MakeInt64(*o.p), true, nil
}

// SetKey implements offset[0] = n.
func (o Offset) SetKey(k, v starlark.Value) error {
	if err := offsetIndex(k); err != nil {
		return err
	}
	n, err := cInteger(v, "loff_t")
	if err != nil {
		return fmt.Errorf("offset[0]: %v", err)
	}
	*o.p = int64(n)
	return nil
}

func offsetIndex(k starlark.Value) error {
	if i, ok := k.(starlark.Int); ok && i.Sign() == 0 {
		return nil
	}
	return fmt.Errorf("loff_t *: index %s: only offset[0] (*offset) is the position", k)
}

// Cdev is a struct cdev *.
type Cdev struct {
	c  *kernelsim.Cdev
	id handleID
}

func (c Cdev) String() string        { return fmt.Sprintf("(struct cdev *)#%d", c.id) }
func (c Cdev) Type() string          { return "struct cdev *" }
func (c Cdev) Freeze()               {}
func (c Cdev) Truth() starlark.Bool  { return true }
func (c Cdev) Hash() (uint32, error) { return uint32(c.id), nil }

// Class is a struct class *.
type Class struct{ c *kernelsim.Class }

func (c Class) String() string        { return "(struct class *)" + c.c.Name }
func (c Class) Type() string          { return "struct class *" }
func (c Class) Freeze()               {}
func (c Class) Truth() starlark.Bool  { return true }
func (c Class) Hash() (uint32, error) { return starlark.String(c.c.Name).Hash() }

// Device is a struct device *.
type Device struct{ d *kernelsim.Device }

func (d Device) String() string        { return "(struct device *)" + d.d.Name }
func (d Device) Type() string          { return "struct device *" }
func (d Device) Freeze()               {}
func (d Device) Truth() starlark.Bool  { return true }
func (d Device) Hash() (uint32, error) { return starlark.String(d.d.Name).Hash() }

// Misc is a struct miscdevice *: misc.minor is the minor misc_register
// assigned.
type Misc struct {
	m  *kernelsim.MiscDevice
	id handleID
}

var _ starlark.HasAttrs = Misc{}

func (m Misc) String() string        { return "(struct miscdevice *)" + m.m.Name }
func (m Misc) Type() string          { return "struct miscdevice *" }
func (m Misc) Freeze()               {}
func (m Misc) Truth() starlark.Bool  { return true }
func (m Misc) Hash() (uint32, error) { return uint32(m.id), nil }
func (m Misc) AttrNames() []string   { return []string{"minor", "name"} }

func (m Misc) Attr(name string) (starlark.Value, error) {
	switch name {
	case "minor":
		return starlark.MakeUint64(uint64(m.m.Minor)), nil
	case "name":
		return starlark.String(m.m.Name), nil
	}
	return nil, nil
}
