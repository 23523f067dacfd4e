package kernelsim

import "testing"

// FuzzAllocFree runs random sequences of allocations, frees and bad frees,
// checks the invariants along the way, frees everything and checks that
// /proc/buddyinfo is exactly what it was after boot.
func FuzzAllocFree(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 2, 0, 2, 0})
	f.Add([]byte{1, 0, 10, 0, 3, 0, 7, 2, 0, 3, 1, 1, 2, 2, 0})
	f.Add([]byte{0, 4, 10, 4, 10, 4, 10, 6, 1, 6, 2, 7, 0, 7, 1})
	f.Add([]byte{1, 8, 3, 12, 3, 8, 3, 3, 0, 3, 1, 6, 0, 6, 0, 6, 0})
	gfps := []GFP{GFP_ATOMIC, GFP_NOWAIT, GFP_KERNEL &^ GFPDirectReclaim, GFP_ATOMIC | GFPDMA, GFP_NOWAIT | GFPDMA32, GFP_ATOMIC | GFPZero}
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 || len(ops) > 400 {
			return
		}
		k, err := New(Config{Seed: 11, NoPCP: ops[0]&1 == 0})
		if err != nil {
			t.Fatal(err)
		}
		k.drainAllPages() // boot may have left blocks on the per-CPU lists
		before := k.procBuddyinfo()
		type blk struct {
			pfn   PFN
			order int
		}
		var live, freed []blk
		for i := 1; i+1 < len(ops); i += 2 {
			op, arg := ops[i], int(ops[i+1])
			switch op % 8 {
			case 0, 1, 2, 3: // allocate
				order := arg % MaxOrder
				if pfn, ok := k.AllocPages(gfps[int(op/8)%len(gfps)]|GFPNoWarn, order); ok {
					live = append(live, blk{pfn, order})
				}
			case 4, 5: // free
				if len(live) > 0 {
					j := arg % len(live)
					if err := k.FreePages(live[j].pfn, live[j].order); err != nil {
						t.Fatalf("FreePages: %v", err)
					}
					freed = append(freed, live[j])
					live = append(live[:j], live[j+1:]...)
				}
			case 6: // double free: reported, harmless
				if len(freed) > 0 {
					b := freed[arg%len(freed)]
					if k.allocatedHead(b.pfn, b.order) == nil {
						k.FreePages(b.pfn, b.order)
					}
				}
			case 7: // wrong order or a tail page: reported, harmless
				if len(live) > 0 {
					b := live[arg%len(live)]
					if arg&1 == 0 {
						k.FreePages(b.pfn, (b.order+1)%MaxOrder)
					} else if b.order > 0 {
						k.FreePages(b.pfn+1, 0)
					}
				}
			}
			if i%16 == 1 {
				if err := k.CheckInvariants(); err != nil {
					t.Fatalf("after op %d: %v", i, err)
				}
			}
		}
		for _, b := range live {
			if err := k.FreePages(b.pfn, b.order); err != nil {
				t.Fatal(err)
			}
		}
		k.drainAllPages()
		if err := k.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
		if got := k.procBuddyinfo(); got != before {
			t.Errorf("buddyinfo after freeing everything:\n%s\nwant\n%s", got, before)
		}
	})
}
