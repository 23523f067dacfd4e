// Package i18n holds kscript's own texts in its two languages, English and
// Thai. A Text is rendered in both languages when it is made, so results can
// be kept, compared and printed later in either; a Catalog maps message keys
// to their two printf formats. Thai texts are natural Thai with the technical
// terms (kmalloc, GFP_KERNEL, insmod, dmesg, Oops) left in English, as Thai
// kernel courses write them.
package i18n

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"kscript.dev/kscript/runtime/lazyre"
)

// Text is one of kscript's own texts in English and Thai.
type Text struct {
	EN, TH string
}

// Plain returns a text that reads the same in both languages (a command
// line, a kernel log line, a file name).
func Plain(s string) Text { return Text{EN: s, TH: s} }

// In returns the text in lang: "th" for Thai, English otherwise. A Thai text
// left empty falls back to English.
func (t Text) In(lang string) string {
	if lang == "th" && t.TH != "" {
		return t.TH
	}
	return t.EN
}

// IsZero reports whether the text is empty in both languages.
func (t Text) IsZero() bool { return t.EN == "" && t.TH == "" }

// String returns the English text.
func (t Text) String() string { return t.EN }

// Catalog maps a message key to its printf formats, English then Thai.
type Catalog map[string][2]string

// LazyCatalog is a Catalog built the first time it is used: a package's
// catalogue as a plain map literal was built at every process's start,
// kscript --help included, whether or not a message of it was printed.
// Lazy's result is static data (a constant function), so nothing runs
// until the first T.
type LazyCatalog struct {
	once  sync.Once
	build func() Catalog
	c     Catalog
}

// Lazy returns the catalog build makes, made on first use.
func Lazy(build func() Catalog) *LazyCatalog { return &LazyCatalog{build: build} }

// Get returns the catalog, building it on the first call.
func (l *LazyCatalog) Get() Catalog {
	l.once.Do(func() { l.c = l.build() })
	return l.c
}

// T is Catalog.T.
func (l *LazyCatalog) T(key string, args ...any) Text { return l.Get().T(key, args...) }

// Missing is Catalog.Missing.
func (l *LazyCatalog) Missing() []string { return l.Get().Missing() }

// VerbMismatch is Catalog.VerbMismatch.
func (l *LazyCatalog) VerbMismatch() []string { return l.Get().VerbMismatch() }

// T formats message key in both languages (English where the Thai format is
// missing). Arguments that are Texts are rendered in the matching language;
// others are formatted as given; a Thai format may reorder them with
// explicit indexes (%[2]s). An
// unknown key is a bug in kscript: it shows as the key itself, so that it is
// noticed rather than hidden.
func (c Catalog) T(key string, args ...any) Text {
	f, ok := c[key]
	if !ok {
		return Plain(key)
	}
	th := f[1]
	if th == "" {
		th = f[0]
	}
	return Text{EN: Singular(format(f[0], "en", args)), TH: format(th, "th", args)}
}

func format(f, lang string, args []any) string {
	if len(args) == 0 {
		return f
	}
	local := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(Text); ok {
			local[i] = t.In(lang)
		} else {
			local[i] = a
		}
	}
	return fmt.Sprintf(f, local...)
}

// Join joins texts with sep in each language.
func Join(ts []Text, sep string) Text {
	en := make([]string, len(ts))
	th := make([]string, len(ts))
	for i, t := range ts {
		en[i], th[i] = t.EN, t.In("th")
	}
	return Text{EN: strings.Join(en, sep), TH: strings.Join(th, sep)}
}

// Missing lists, sorted, the keys whose English or Thai format is empty,
// for the tests that every message has its two languages.
func (c Catalog) Missing() []string {
	var out []string
	for k, f := range c {
		if strings.TrimSpace(f[0]) == "" || strings.TrimSpace(f[1]) == "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// verbRe matches a printf verb, with an optional explicit argument index.
var verbRe = lazyre.New(`%%|%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)

// VerbMismatch lists, sorted, the keys whose English and Thai formats take
// a different number of arguments: one of them would print %!(MISSING) or
// %!(EXTRA).
func (c Catalog) VerbMismatch() []string {
	var out []string
	for k, f := range c {
		if verbs(f[0]) != verbs(f[1]) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// verbs counts the arguments a format consumes.
func verbs(f string) int {
	n := 0
	for _, v := range verbRe.FindAllString(f, -1) {
		if v != "%%" {
			n++
		}
	}
	return n
}
