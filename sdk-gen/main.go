// Command sdk-gen writes the nodejs, python and go SDKs of the sagemaker-deployment Pulumi
// package from its schema (schema.json), and checks that the checked-in SDKs are up to date.
//
// Why this exists instead of `pulumi package gen-sdk`:
//
// gen-sdk binds the schema inside the CLI and then hands it to a language host plugin
// (pulumi-language-nodejs, -python, -go) over the GeneratePackage RPC. Those hosts are
// separate Go modules, and the Go module proxy this project builds from does not serve
// them (only github.com/pulumi/pulumi/pkg/v3 and sdk/v3), so gen-sdk cannot run here.
// A host's GeneratePackage handler is thin: it binds the schema it receives and calls
// pkg/v3/codegen/<language>.GeneratePackage with its own name as the tool name, then
// writes the returned files. This program makes exactly those calls, with the same
// arguments, from the same pinned pkg/v3 version as the CLI (see go.mod): same codegen,
// same output. The only intended difference is file modes (0644/0755 instead of the
// hosts' 0600/0700; git does not record them).
//
// Usage (from the repository root; see mk/engine.mk):
//
//	go -C sdk-gen run . --schema ../schema.json --out ../sdk            # regenerate sdk/{nodejs,python,go}
//	go -C sdk-gen run . --schema ../schema.json --out ../sdk --check    # fail when sdk/ has drifted
//
// The schema must reference no other package (there is no plugin host to load one from).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	"github.com/hashicorp/hcl/v2"
	"github.com/hexops/gotextdiff"
	"github.com/hexops/gotextdiff/myers"
	"github.com/hexops/gotextdiff/span"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

var allLanguages = []string{"nodejs", "python", "go"}

func main() {
	schemaPath := flag.String("schema", "schema.json", "the Pulumi package schema (JSON)")
	out := flag.String("out", "sdk", "SDK root; each language is written to <out>/<language>")
	languages := flag.String("language", strings.Join(allLanguages, ","), "comma-separated languages to generate")
	version := flag.String("version", "", "override the schema's package version (like gen-sdk --version)")
	check := flag.Bool("check", false, "generate into a temp dir and fail if <out> differs (drift check)")
	flag.Parse()

	if err := run(*schemaPath, *out, *languages, *version, *check); err != nil {
		fmt.Fprintln(os.Stderr, "sdk-gen:", err)
		os.Exit(1)
	}
}

func run(schemaPath, out, languages, version string, check bool) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	// The CLI side of gen-sdk: bind (validating the schema), apply --version, marshal.
	pkg, err := bind(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	if version != "" {
		v, err := semver.Parse(version)
		if err != nil {
			return fmt.Errorf("invalid --version %q: %w", version, err)
		}
		pkg.Version = &v
	}
	bound, err := pkg.MarshalJSON()
	if err != nil {
		return err
	}

	target := out
	if check {
		if target, err = os.MkdirTemp("", "sdk-gen-check-"); err != nil {
			return err
		}
		defer os.RemoveAll(target)
	}
	langs := strings.Split(languages, ",")
	for _, lang := range langs {
		// The host side: each host re-binds the JSON it receives, so every language starts
		// from a fresh *schema.Package (the generators record language info on it).
		files, err := generate(lang, bound)
		if err != nil {
			return fmt.Errorf("%s: %w", lang, err)
		}
		if err := writeTree(filepath.Join(target, lang), files); err != nil {
			return err
		}
		if !check {
			fmt.Fprintf(os.Stderr, "sdk-gen: wrote %d files to %s\n", len(files), filepath.Join(out, lang))
		}
	}
	if !check {
		return nil
	}
	drift := 0
	for _, lang := range langs {
		n, err := compareTrees(filepath.Join(out, lang), filepath.Join(target, lang))
		if err != nil {
			return err
		}
		drift += n
	}
	if drift > 0 {
		return fmt.Errorf("%d file(s) in %s differ from what %s generates; run `make sdk` and commit the result",
			drift, out, schemaPath)
	}
	fmt.Fprintf(os.Stderr, "sdk-gen: %s is up to date with %s\n", out, schemaPath)
	return nil
}

// bind binds a schema the way the CLI and the language hosts do.
func bind(raw []byte) (*schema.Package, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	for _, d := range diags {
		if d.Severity != hcl.DiagError { // errors are returned below
			fmt.Fprintln(os.Stderr, "sdk-gen: warning:", d.Error())
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return pkg, nil
}

// generate is the body of a language host's GeneratePackage handler, with the arguments
// `pulumi package gen-sdk` sends (no overlays, no local dependencies, --local off).
func generate(lang string, bound []byte) (map[string][]byte, error) {
	pkg, err := bind(bound)
	if err != nil {
		return nil, err
	}
	loader := schema.NewCachedLoader(noLoader{})
	switch lang {
	case "nodejs":
		return nodejsgen.GeneratePackage("pulumi-language-nodejs", pkg, nil, nil, false, loader)
	case "python":
		return pythongen.GeneratePackage("pulumi-language-python", pkg, nil, loader)
	case "go":
		return gogen.GeneratePackage("pulumi-language-go", pkg, nil)
	default:
		return nil, fmt.Errorf("unsupported language %q (want one of %v)", lang, allLanguages)
	}
}

// writeTree replaces dir with exactly the given files.
func writeTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return os.MkdirAll(dir, 0o755)
}

// ignored reports build outputs that may sit in a checked-out SDK without being drift: what
// the generated .gitignore files exclude (npm install / tsc in sdk/nodejs, pip in sdk/python).
func ignored(rel string) bool {
	top := strings.SplitN(rel, "/", 2)[0]
	if top == "bin" || top == "build" || top == "dist" {
		return true
	}
	for _, part := range strings.Split(rel, "/") {
		switch {
		case part == "node_modules", part == "__pycache__", part == ".mypy_cache",
			strings.HasSuffix(part, ".egg-info"), strings.HasSuffix(part, ".pyc"):
			return true
		}
	}
	return false
}

func listTree(dir string) (map[string]bool, error) {
	files := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return filepath.SkipDir
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel != "." && ignored(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			files[rel] = true
		}
		return nil
	})
	return files, err
}

// compareTrees prints a summary of how have (checked in) differs from want (generated)
// and returns the number of differing files.
func compareTrees(have, want string) (int, error) {
	haveFiles, err := listTree(have)
	if err != nil {
		return 0, err
	}
	wantFiles, err := listTree(want)
	if err != nil {
		return 0, err
	}
	names := map[string]bool{}
	for n := range haveFiles {
		names[n] = true
	}
	for n := range wantFiles {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)

	drift := 0
	for _, n := range sorted {
		shown := filepath.ToSlash(filepath.Join(have, n))
		switch {
		case !haveFiles[n]:
			fmt.Fprintf(os.Stderr, "missing: %s (generated, not checked in)\n", shown)
			drift++
		case !wantFiles[n]:
			fmt.Fprintf(os.Stderr, "stale:   %s (checked in, no longer generated)\n", shown)
			drift++
		default:
			a, err := os.ReadFile(filepath.Join(have, n))
			if err != nil {
				return 0, err
			}
			b, err := os.ReadFile(filepath.Join(want, n))
			if err != nil {
				return 0, err
			}
			if string(a) == string(b) {
				continue
			}
			drift++
			fmt.Fprintf(os.Stderr, "changed: %s\n", shown)
			printDiff(shown, string(a), string(b), 30)
		}
	}
	return drift, nil
}

// printDiff prints at most maxLines lines of a unified diff (checked in -> generated).
func printDiff(name, a, b string, maxLines int) {
	edits := myers.ComputeEdits(span.URIFromPath(name), a, b)
	text := fmt.Sprint(gotextdiff.ToUnified(name+" (checked in)", name+" (generated)", a, edits))
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if i == maxLines {
			fmt.Fprintf(os.Stderr, "    ... %d more diff lines\n", len(lines)-maxLines)
			break
		}
		fmt.Fprintln(os.Stderr, "   ", l)
	}
}

// noLoader is the schema loader for a self-contained schema: gen-sdk would load referenced
// packages through provider plugins, which this program does not run.
type noLoader struct{}

func (noLoader) err(name string) error {
	return fmt.Errorf("the schema references package %q; sdk-gen only supports self-contained schemas", name)
}

func (l noLoader) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.err(name)
}

func (l noLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.err(d.Name)
}

func (l noLoader) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.err(name)
}

func (l noLoader) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.err(d.Name)
}
