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
