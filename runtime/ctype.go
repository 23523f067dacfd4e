package runtime

import (
	"fmt"
	"strconv"
	"strings"

	"kscript.dev/kscript/runtime/lazy"
)

// ctype is a C type as x86-64 Linux (LP64) lays it out: its size, its
// alignment and how a field of the type reads back into Starlark.
type ctype struct {
	name  string
	size  uint64
	align uint64
	kind  ckind
	elem  *ctype      // arrays: the element type
	st    *StructType // structs
}

type ckind uint8

const (
	cSigned   ckind = iota // int, long, s8..s64: read as a signed int
	cUnsigned              // unsigned int, size_t, u8..u64
	cBool                  // _Bool / bool
	cPointer               // any T *: read as a ptr
	cArray                 // T[N]: reads as a pointer to its first element
	cStruct                // a nested struct_type
)

// scalarTypes maps the spellings of C's scalar types (and the kernel's
// typedefs) to their LP64 sizes. char is signed on x86.
var scalarTypes = lazy.NewMap(scalarTypesTable)

func scalarTypesTable() map[string]struct {
	size uint64
	kind ckind
} {
	return map[string]struct {
		size uint64
		kind ckind
	}{
		"char": {1, cSigned}, "signed char": {1, cSigned}, "s8": {1, cSigned}, "__s8": {1, cSigned}, "int8_t": {1, cSigned},
		"unsigned char": {1, cUnsigned}, "u8": {1, cUnsigned}, "__u8": {1, cUnsigned}, "uint8_t": {1, cUnsigned},
		"bool": {1, cBool}, "_Bool": {1, cBool},
		"short": {2, cSigned}, "s16": {2, cSigned}, "__s16": {2, cSigned}, "int16_t": {2, cSigned},
		"unsigned short": {2, cUnsigned}, "u16": {2, cUnsigned}, "__u16": {2, cUnsigned}, "uint16_t": {2, cUnsigned},
		"__le16": {2, cUnsigned}, "__be16": {2, cUnsigned},
		"int": {4, cSigned}, "signed": {4, cSigned}, "s32": {4, cSigned}, "__s32": {4, cSigned}, "int32_t": {4, cSigned},
		"atomic_t":     {4, cSigned},
		"unsigned int": {4, cUnsigned}, "unsigned": {4, cUnsigned}, "u32": {4, cUnsigned}, "__u32": {4, cUnsigned},
		"uint32_t": {4, cUnsigned}, "gfp_t": {4, cUnsigned}, "dev_t": {4, cUnsigned}, "__le32": {4, cUnsigned}, "__be32": {4, cUnsigned},
		"long": {8, cSigned}, "long int": {8, cSigned}, "long long": {8, cSigned}, "s64": {8, cSigned}, "__s64": {8, cSigned},
		"int64_t": {8, cSigned}, "ssize_t": {8, cSigned}, "loff_t": {8, cSigned}, "ptrdiff_t": {8, cSigned},
		"time64_t": {8, cSigned}, "atomic_long_t": {8, cSigned},
		"unsigned long": {8, cUnsigned}, "unsigned long long": {8, cUnsigned}, "u64": {8, cUnsigned}, "__u64": {8, cUnsigned},
		"uint64_t": {8, cUnsigned}, "size_t": {8, cUnsigned}, "uintptr_t": {8, cUnsigned}, "phys_addr_t": {8, cUnsigned},
		"dma_addr_t": {8, cUnsigned}, "pgoff_t": {8, cUnsigned}, "sector_t": {8, cUnsigned},
	}
}

// parseCType parses a field type: a scalar ("int", "u64"), a pointer
// ("ptr", "char *", "struct foo *") or an array of them ("char[16]").
func parseCType(s string) (*ctype, error) {
	s = strings.Join(strings.Fields(s), " ")
	if open := strings.IndexByte(s, '['); open >= 0 && strings.HasSuffix(s, "]") {
		elem, err := parseCType(s[:open])
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseUint(strings.TrimSpace(s[open+1:len(s)-1]), 0, 32)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("bad array length in %q: want a positive integer", s)
		}
		return arrayOf(elem, n), nil
	}
	if s == "ptr" || strings.HasSuffix(s, "*") {
		return &ctype{name: s, size: 8, align: 8, kind: cPointer}, nil
	}
	t, ok := scalarTypes.Get()[s]
	if !ok {
		return nil, fmt.Errorf("unknown C type %q: want a scalar (int, u8..u64, s8..s64, long, size_t, bool), \"ptr\" or an array like \"char[16]\"", s)
	}
	return &ctype{name: s, size: t.size, align: t.size, kind: t.kind}, nil
}

func arrayOf(elem *ctype, n uint64) *ctype {
	return &ctype{name: fmt.Sprintf("%s[%d]", elem.name, n), size: elem.size * n, align: elem.align, kind: cArray, elem: elem}
}

func structCType(st *StructType) *ctype {
	return &ctype{name: "struct " + st.name, size: st.size, align: st.align, kind: cStruct, st: st}
}

// alignUp rounds n up to a multiple of a (a power of two).
func alignUp(n, a uint64) uint64 { return (n + a - 1) &^ (a - 1) }
