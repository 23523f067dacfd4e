package lesson

import "testing"

// fakeVerifier holds pfn 7 and the pointer 00000000bdc99002.
type fakeVerifier struct{}

func (fakeVerifier) HeldPFN(s string) bool     { return s == "7" }
func (fakeVerifier) HeldPointer(s string) bool { return s == "00000000bdc99002" }

// TestMatchVerified: {{pfn}} and {{kptr}} match their form, and then the
// value must be held; the refused value is named.
func TestMatchVerified(t *testing.T) {
	m := &Matcher{Text: "pfn {{pfn}} at {{kptr}} ({{num}})"}
	for _, tt := range []struct {
		line       string
		v          Verifier
		ok         bool
		rej, value string
	}{
		{"pfn 7 at 00000000bdc99002 (3)", fakeVerifier{}, true, "", ""},
		{"pfn 8 at 00000000bdc99002 (3)", fakeVerifier{}, false, "pfn", "8"},
		{"pfn 7 at ffff888000001000 (3)", fakeVerifier{}, false, "kptr", "ffff888000001000"},
		{"pfn 7 at 00000000bdc99002 (3)", nil, false, "pfn", "7"},
		{"pfn x at 00000000bdc99002 (3)", fakeVerifier{}, false, "", ""},
	} {
		ok, rej := m.MatchVerified(tt.line, tt.v)
		if ok != tt.ok || (rej == nil) != (tt.rej == "") || rej != nil && (rej.Placeholder != tt.rej || rej.Value != tt.value || rej.Line != tt.line) {
			t.Errorf("MatchVerified(%q) = %v, %+v; want %v, %s %s", tt.line, ok, rej, tt.ok, tt.rej, tt.value)
		}
	}
	if !m.Match("pfn 8 at ffff888000001000 (3)") || !m.Checked() {
		t.Error("Match checks the form only, and Checked is true")
	}
	if (&Matcher{Text: "pfn {{num}}"}).Checked() {
		t.Error("{{num}} is not checked")
	}
}

// fakeVerifier2 holds pfns 7 and 9.
type fakeVerifier2 struct{ fakeVerifier }

func (fakeVerifier2) HeldPFN(s string) bool { return s == "7" || s == "9" }

// TestMatchVerifiedDistinctPFNs: several {{pfn}} in one line are different
// frames; a value printed twice is refused as Repeated, even when held.
func TestMatchVerifiedDistinctPFNs(t *testing.T) {
	m := &Matcher{Text: "page 0: {{pfn}}, page 1: {{pfn}}"}
	if ok, rej := m.MatchVerified("page 0: 7, page 1: 9", fakeVerifier2{}); !ok || rej != nil {
		t.Errorf("two held frames: %v, %+v", ok, rej)
	}
	ok, rej := m.MatchVerified("page 0: 7, page 1: 7", fakeVerifier2{})
	if ok || rej == nil || !rej.Repeated || rej.Value != "7" {
		t.Errorf("one frame twice: %v, %+v; want refused as Repeated 7", ok, rej)
	}
	if ok, rej := m.MatchVerified("page 0: 7, page 1: 8", fakeVerifier2{}); ok || rej == nil || rej.Repeated || rej.Value != "8" {
		t.Errorf("an unheld frame: %v, %+v", ok, rej)
	}
}
