package runtime

import "math/bits"

// ptrKey mirrors lib/vsprintf.c's ptr_key: the siphash key that %p hashes
// pointers with. Linux fills it from the random pool once at boot; kscript
// derives it from Config.Seed, so the same seed prints the same hashes.
type ptrKey [2]uint64

func newPtrKey(seed uint64) ptrKey {
	return ptrKey{splitmix64(seed ^ 0x7074725f6b6579), splitmix64(seed + 0x9e3779b97f4a7c15)}
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// hashPointer mirrors __ptr_to_hashval() on 64-bit: siphash_1u64(ptr,
// &ptr_key) with the upper 32 bits masked off.
func (k ptrKey) hashPointer(p uint64) uint64 {
	return siphash1u64(p, k) & 0xffffffff
}

// siphash1u64 mirrors siphash_1u64() (lib/siphash.c): SipHash-2-4 of one
// 64-bit word.
func siphash1u64(first uint64, key ptrKey) uint64 {
	v0 := uint64(0x736f6d6570736575) ^ key[0]
	v1 := uint64(0x646f72616e646f6d) ^ key[1]
	v2 := uint64(0x6c7967656e657261) ^ key[0]
	v3 := uint64(0x7465646279746573) ^ key[1]
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	compress := func(m uint64) {
		v3 ^= m
		round()
		round()
		v0 ^= m
	}
	compress(first)
	compress(uint64(8) << 56) // the final block: the message length
	v2 ^= 0xff
	round()
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}
