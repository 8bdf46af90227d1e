package main

import (
	"fmt"
	"runtime/debug"
)

// version, when set at build time with -ldflags "-X main.version=…", names the build; else the
// module version and VCS revision the Go toolchain recorded in the binary do.
var version = ""

// buildInfo is what the binary knows of its origin.
type buildInfo struct {
	Version, Revision, GoVersion string
	Modified                     bool
}

func readBuildInfo() buildInfo {
	var b buildInfo
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.Version, b.GoVersion = bi.Main.Version, bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		b.Version = version
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	return b
}

// versionString names the build in one word (the banner's readers split on spaces): its module
// version, and for a development build ("(devel)": built from a work tree, not installed at a
// tagged version) the revision it was built from, so that two builds can be told apart.
func versionString() string {
	b := readBuildInfo()
	if b.Version != "(devel)" {
		return b.Version
	}
	switch {
	case b.Revision == "":
		return "(devel)"
	case b.Modified:
		return fmt.Sprintf("(devel)-%.12s+modified", b.Revision)
	}
	return fmt.Sprintf("(devel)-%.12s", b.Revision)
}
