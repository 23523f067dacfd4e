package kernelsim

import (
	"fmt"
	"strings"
)

// GFP mirrors Linux's gfp_t: the "get free pages" flags that tell an allocator
// which zones it may use, whether it may sleep, reclaim or do I/O, and how hard
// to try. Bit values are Linux 6.1's (include/linux/gfp_types.h) for a kernel
// built without CONFIG_KASAN_HW_TAGS and without lockdep, as Debian 12's is.
type GFP uint32

// The plain bits (___GFP_*), each under its __GFP_ name.
const (
	GFPDMA           GFP = 0x01 // __GFP_DMA
	GFPHighmem       GFP = 0x02 // __GFP_HIGHMEM
	GFPDMA32         GFP = 0x04 // __GFP_DMA32
	GFPMovable       GFP = 0x08 // __GFP_MOVABLE
	GFPReclaimable   GFP = 0x10 // __GFP_RECLAIMABLE
	GFPHigh          GFP = 0x20 // __GFP_HIGH: may use the reserves below min/2
	GFPIO            GFP = 0x40 // __GFP_IO: may start physical I/O
	GFPFS            GFP = 0x80 // __GFP_FS: may call into the filesystem
	GFPZero          GFP = 0x100
	GFPAtomic        GFP = 0x200 // __GFP_ATOMIC: caller cannot reclaim or sleep, high priority
	GFPDirectReclaim GFP = 0x400 // __GFP_DIRECT_RECLAIM: may sleep to reclaim
	GFPKswapdReclaim GFP = 0x800 // __GFP_KSWAPD_RECLAIM: may wake kswapd
	GFPWrite         GFP = 0x1000
	GFPNoWarn        GFP = 0x2000
	GFPRetryMayfail  GFP = 0x4000
	GFPNoFail        GFP = 0x8000
	GFPNoRetry       GFP = 0x10000
	GFPMemalloc      GFP = 0x20000
	GFPComp          GFP = 0x40000
	GFPNoMemalloc    GFP = 0x80000
	GFPHardwall      GFP = 0x100000
	GFPThisNode      GFP = 0x200000
	GFPAccount       GFP = 0x400000
	GFPZeroTags      GFP = 0x800000
	GFPReclaim           = GFPDirectReclaim | GFPKswapdReclaim // __GFP_RECLAIM
	GFPZoneMask          = GFPDMA | GFPHighmem | GFPDMA32 | GFPMovable
	gfpBitsMask      GFP = 1<<24 - 1
)

// The composite flags of include/linux/gfp_types.h.
const (
	GFP_ATOMIC           = GFPHigh | GFPAtomic | GFPKswapdReclaim
	GFP_KERNEL           = GFPReclaim | GFPIO | GFPFS
	GFP_KERNEL_ACCOUNT   = GFP_KERNEL | GFPAccount
	GFP_NOWAIT           = GFPKswapdReclaim
	GFP_NOIO             = GFPReclaim
	GFP_NOFS             = GFPReclaim | GFPIO
	GFP_USER             = GFPReclaim | GFPIO | GFPFS | GFPHardwall
	GFP_DMA              = GFPDMA
	GFP_DMA32            = GFPDMA32
	GFP_HIGHUSER         = GFP_USER | GFPHighmem
	GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | GFPMovable
	GFP_TRANSHUGE_LIGHT  = (GFP_HIGHUSER_MOVABLE | GFPComp | GFPNoMemalloc | GFPNoWarn) &^ GFPReclaim
	GFP_TRANSHUGE        = GFP_TRANSHUGE_LIGHT | GFPDirectReclaim
)

// gfpNames mirrors __def_gfpflag_names (include/trace/events/mmflags.h): the
// order matters, composite masks first, so that %pGg prints "GFP_KERNEL|__GFP_ZERO"
// rather than a list of single bits.
var gfpNames = []struct {
	mask GFP
	name string
}{
	{GFP_TRANSHUGE, "GFP_TRANSHUGE"},
	{GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"},
	{GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
	{GFP_HIGHUSER, "GFP_HIGHUSER"},
	{GFP_USER, "GFP_USER"},
	{GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT"},
	{GFP_KERNEL, "GFP_KERNEL"},
	{GFP_NOFS, "GFP_NOFS"},
	{GFP_ATOMIC, "GFP_ATOMIC"},
	{GFP_NOIO, "GFP_NOIO"},
	{GFP_NOWAIT, "GFP_NOWAIT"},
	{GFP_DMA, "GFP_DMA"},
	{GFPHighmem, "__GFP_HIGHMEM"},
	{GFP_DMA32, "GFP_DMA32"},
	{GFPHigh, "__GFP_HIGH"},
	{GFPAtomic, "__GFP_ATOMIC"},
	{GFPIO, "__GFP_IO"},
	{GFPFS, "__GFP_FS"},
	{GFPNoWarn, "__GFP_NOWARN"},
	{GFPRetryMayfail, "__GFP_RETRY_MAYFAIL"},
	{GFPNoFail, "__GFP_NOFAIL"},
	{GFPNoRetry, "__GFP_NORETRY"},
	{GFPComp, "__GFP_COMP"},
	{GFPZero, "__GFP_ZERO"},
	{GFPNoMemalloc, "__GFP_NOMEMALLOC"},
	{GFPMemalloc, "__GFP_MEMALLOC"},
	{GFPHardwall, "__GFP_HARDWALL"},
	{GFPThisNode, "__GFP_THISNODE"},
	{GFPReclaimable, "__GFP_RECLAIMABLE"},
	{GFPMovable, "__GFP_MOVABLE"},
	{GFPAccount, "__GFP_ACCOUNT"},
	{GFPWrite, "__GFP_WRITE"},
	{GFPReclaim, "__GFP_RECLAIM"},
	{GFPDirectReclaim, "__GFP_DIRECT_RECLAIM"},
	{GFPKswapdReclaim, "__GFP_KSWAPD_RECLAIM"},
	{GFPZeroTags, "__GFP_ZEROTAGS"},
}

// GFPFlagNames lists every named GFP mask in %pGg order, for the Starlark
// predeclared constants and the documentation.
func GFPFlagNames() []struct {
	Mask GFP
	Name string
} {
	out := make([]struct {
		Mask GFP
		Name string
	}, len(gfpNames))
	for i, n := range gfpNames {
		out[i].Mask, out[i].Name = n.mask, n.name
	}
	return out
}

// String formats g as the kernel's %pGg does (lib/vsprintf.c:format_flags):
// named masks in table order joined by '|', leftover bits in hex; "none" for 0.
func (g GFP) String() string {
	if g == 0 {
		return "none"
	}
	var parts []string
	rest := g
	for _, n := range gfpNames {
		if rest&n.mask == n.mask && rest&n.mask != 0 {
			parts = append(parts, n.name)
			rest &^= n.mask
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint32(rest)))
	}
	return strings.Join(parts, "|")
}

// Mode formats g as page allocation warnings print it: "0xcc0(GFP_KERNEL)".
func (g GFP) Mode() string { return fmt.Sprintf("%#x(%s)", uint32(g), g) }

// AllowsBlocking mirrors gfpflags_allow_blocking(): may the allocator sleep?
func (g GFP) AllowsBlocking() bool { return g&GFPDirectReclaim != 0 }
