package kernelsim

// Zone watermarks and the lowmem reserve, mirroring
// init_per_zone_wmark_min(), __setup_per_zone_wmarks() and
// setup_per_zone_lowmem_reserve() in mm/page_alloc.c.
//
// min_free_kbytes is the memory the kernel keeps free for allocations that
// cannot wait (GFP_ATOMIC) and for reclaim itself. It grows with the square
// root of lowmem: int_sqrt(lowmem_kbytes * 16), clamped to [128, 262144].
// Each zone gets a share proportional to its size as its min watermark; low
// and high sit a further max(min/4, 0.1% of the zone) above (the 0.1% is
// watermark_scale_factor = 10, in units of 1/10000).
//
// Unlike Debian's kernel, the value is not raised by khugepaged's
// set_recommended_min_free_kbytes(): transparent hugepages are not simulated.

const (
	watermarkScaleFactor = 10
	minFreeKbytesMin     = 128
	minFreeKbytesMax     = 262144
)

// lowmemReserveRatio mirrors sysctl_lowmem_reserve_ratio: a zone keeps
// 1/ratio of the managed pages above it back from allocations that could
// have been satisfied higher up.
var lowmemReserveRatio = [maxNrZones]uint64{256, 256, 32, 0, 0}

// intSqrt mirrors int_sqrt(): the integer square root.
func intSqrt(x uint64) uint64 {
	r := uint64(0)
	for b := uint64(1) << 62; b != 0; b >>= 2 {
		if x >= r+b {
			x -= r + b
			r = r>>1 + b
		} else {
			r >>= 1
		}
	}
	return r
}

// minFreeKbytes mirrors init_per_zone_wmark_min()'s computation from the
// managed lowmem (nr_free_buffer_pages() at boot: all managed pages).
func (k *Kernel) minFreeKbytes() uint64 {
	var lowmem uint64
	for i := 0; i <= ZoneNormal; i++ {
		lowmem += k.zones.z[i].managed
	}
	return min(max(intSqrt(lowmem*(PageSize>>10)*16), minFreeKbytesMin), minFreeKbytesMax)
}

// setupPerZoneWmarks mirrors __setup_per_zone_wmarks().
func (k *Kernel) setupPerZoneWmarks() {
	pagesMin := k.minFreeKbytes() >> (PageShift - 10)
	var lowmem uint64
	for i := range k.zones.z {
		lowmem += k.zones.z[i].managed
	}
	for i := range k.zones.z {
		z := &k.zones.z[i]
		if lowmem == 0 {
			break
		}
		m := pagesMin * z.managed / lowmem
		step := max(m>>2, z.managed*watermarkScaleFactor/10000)
		z.watermark = [nrWmark]uint64{m, m + step, m + 2*step}
	}
}

// setupPerZoneLowmemReserve mirrors setup_per_zone_lowmem_reserve().
func (k *Kernel) setupPerZoneLowmemReserve() {
	for i := range k.zones.z {
		z := &k.zones.z[i]
		clear := lowmemReserveRatio[i] == 0 || z.managed == 0
		var managed uint64
		for j := i + 1; j < maxNrZones; j++ {
			managed += k.zones.z[j].managed
			if clear {
				z.lowmemReserve[j] = 0
			} else {
				z.lowmemReserve[j] = managed / lowmemReserveRatio[i]
			}
		}
	}
}
