package kernelsim

import "unsafe"

// kernelsim simulates x86-64 Linux and needs a 64-bit Go platform (amd64,
// arm64, wasm, …): page frame numbers, physical addresses and the slab
// table's packed entries are 64-bit words, and the free-list arithmetic
// relies on it. On a 32-bit GOARCH (386, arm) the simulated kernel failed
// at boot with a nil dereference; this constant makes such a build fail at
// once instead, at this line ("constant overflows uintptr").
const _ = unsafe.Sizeof(uintptr(0)) - 8
