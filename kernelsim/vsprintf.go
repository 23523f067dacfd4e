package kernelsim

import "fmt"

// HashPointer formats a pointer as the kernel's %p does (lib/vsprintf.c:
// ptr_to_id): not the address, which would help an attacker, but a 32-bit
// keyed hash of it printed as 16 hex digits ("00000000bdc99002"). NULL and
// error pointers (-MAX_ERRNO..-1) are printed as they are. Linux keys the
// hash (siphash) with a random boot-time key; kscript derives its key from
// Config.Seed, so the same seed prints the same hashes, and uses a simpler
// mixing function.
//
// With no_hash_pointers (forced on by slub_debug) every %p prints the
// address itself, as default_pointer() does.
func (k *Kernel) HashPointer(a Addr) string {
	return fmt.Sprintf("%016x", k.PointerID(a))
}

// PointerID is the number HashPointer prints for a: its keyed hash, or a
// itself for NULL, an error pointer, or with no_hash_pointers. A check
// that a printed %p is some known address hashes the address and
// compares, as the hash cannot be undone.
func (k *Kernel) PointerID(a Addr) uint64 {
	if a == 0 || uint64(a) >= uint64(1<<64-4095) || k.boot.noHashPointers {
		return uint64(a)
	}
	key := mix64(k.cfg.Seed ^ 0x70747276616c6b65)
	return mix64(uint64(a)^key) & 0xffffffff
}

// mix64 is splitmix64's finaliser: every input bit affects every output bit.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
