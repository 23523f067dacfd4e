package grade

import (
	"fmt"
	"io"

	"kscript.dev/kscript/runtime/scenario"
)

// Formats are the output formats of kscript grade, the default first.
var Formats = []string{"text", "json", "gradescope", "junit", "tap"}

// WriteOptions say how to write a batch's results.
type WriteOptions struct {
	Format string // one of Formats
	Lang   string // "en" or "th": feedback and kscript's own texts
	// Paint styles the text format's lines (the CLI colours them); nil is
	// plain text. The other formats are never styled.
	Paint scenario.Painter
}

// Write writes the batch's results in o.Format.
func Write(w io.Writer, b *Batch, o WriteOptions) error {
	switch o.Format {
	case "", "text":
		return writeText(w, b, o)
	case "json":
		return writeJSON(w, b, o.Lang)
	case "gradescope":
		return writeGradescope(w, b, o.Lang)
	case "junit":
		return writeJUnit(w, b, o.Lang)
	case "tap":
		return writeTAP(w, b, o.Lang)
	}
	return fmt.Errorf("format %q: want one of text, json, gradescope, junit, tap", o.Format)
}
