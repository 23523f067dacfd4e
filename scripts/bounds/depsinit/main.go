// Command depsinit is a Go hello-world that links, for their package
// initialisation only, the packages kscript's binary links that a
// hello-world does not: the floor under `kscript --help` that kscript's
// own code does not set. scripts/bench times it beside the hello-world
// and `kscript --help` (issue 12's "--help within 1.3× of a hello-world").
package main

import (
	"fmt"

	_ "compress/gzip" // Starlark's compiled-program encoding
	_ "crypto/sha256" // cache keys, srcversion
	_ "encoding/json" // --format json, the playground
	_ "github.com/chzyer/readline"
	_ "github.com/fatih/color"
	_ "github.com/goccy/go-yaml"
	_ "go.starlark.net/starlark"
	_ "html"      // the HTML pictures
	_ "image/png" // the PNG pictures
	_ "net"       // through the line editor
	_ "regexp"    // grep, dmesg matchers
)

func main() { fmt.Println("hello, world") }
