// Package lazyre holds regular expressions compiled on first use: a
// package-level regexp.MustCompile runs at every process's start, though
// most expressions serve a path few runs take (an error's hint, a lint),
// and kscript --help paid about a million instructions for them.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled the first time it is used.
//
// It is a plain struct that New fills with a constant, so that a
// package-level `var x = lazyre.New("…")` is static data the compiler lays
// out: a process that never uses x spends nothing on it at start-up. (A
// sync.OnceValue closure per expression cost runtime's 75 hint patterns
// about 350 allocations in every process, kscript --help included.)
type Regexp struct {
	once     sync.Once
	expr     string
	compiled *regexp.Regexp
	err      error
}

// New returns expr, to be compiled (and to panic if it does not compile,
// as regexp.MustCompile does) on first use.
func New(expr string) *Regexp {
	return &Regexp{expr: expr}
}

// Regexp returns the compiled expression.
func (r *Regexp) Regexp() *regexp.Regexp { return r.re() }

// re compiles the expression on first use; an expression that does not
// compile panics on every use, with regexp.MustCompile's message.
func (r *Regexp) re() *regexp.Regexp {
	r.once.Do(func() { r.compiled, r.err = regexp.Compile(r.expr) })
	if r.err != nil {
		regexp.MustCompile(r.expr)
	}
	return r.compiled
}

func (r *Regexp) MatchString(s string) bool                { return r.re().MatchString(s) }
func (r *Regexp) FindString(s string) string               { return r.re().FindString(s) }
func (r *Regexp) FindStringIndex(s string) []int           { return r.re().FindStringIndex(s) }
func (r *Regexp) FindStringSubmatch(s string) []string     { return r.re().FindStringSubmatch(s) }
func (r *Regexp) FindStringSubmatchIndex(s string) []int   { return r.re().FindStringSubmatchIndex(s) }
func (r *Regexp) FindAllString(s string, n int) []string   { return r.re().FindAllString(s, n) }
func (r *Regexp) ReplaceAllString(src, repl string) string { return r.re().ReplaceAllString(src, repl) }
func (r *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return r.re().FindAllStringSubmatchIndex(s, n)
}
func (r *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return r.re().ReplaceAllStringFunc(src, repl)
}
func (r *Regexp) ExpandString(dst []byte, template, src string, match []int) []byte {
	return r.re().ExpandString(dst, template, src, match)
}
