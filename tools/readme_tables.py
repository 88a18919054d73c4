"""The README's reference tables, generated from schema.json's descriptions.

    python tools/readme_tables.py           rewrite README.md's generated blocks (`make readme`)
    python tools/readme_tables.py --check   exit 1, with a diff, when they differ from schema.json

Generated blocks sit between marker comments; everything outside them is left as it is:

    <!-- schema:component <Name> begin ... -->  one component's inputs and outputs, in its section
    <!-- schema:other-components begin ... -->   components that have no section of their own yet
    <!-- schema:functions begin ... -->          every provider function, its inputs and outputs
    <!-- schema:provider begin ... -->           the provider's configuration
    <!-- schema:types begin ... -->              every object and enum type the tables above use

Whatever schema.json holds is rendered: a new input, output, function or type shows up
at the next run, a component without a section goes to the other-components block,
and a section whose component left the schema is an error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "sagemaker-deployment"
TYPE_REF = "#/types/"
_BLOCK = re.compile(
    r"(?P<begin><!-- schema:(?P<kind>component|other-components|functions|provider|types)(?: (?P<name>[A-Za-z0-9]+))? begin[^>]*-->\n)"
    r"(?P<body>.*?)"
    r"(?P<end><!-- schema:(?P=kind)(?: (?P=name))? end -->)",
    re.DOTALL,
)


class ReadmeError(Exception):
    """The README's markers do not fit the schema."""


def short(token: str) -> str:
    """``sagemaker-deployment:index:Deployment`` -> ``Deployment``."""
    return token.rsplit(":", 1)[-1]


def anchor(token: str) -> str:
    return "type-" + short(token).lower()


def cell(text: str | None) -> str:
    """A description as one table cell: one line, pipes escaped; a code example (a fenced block,
    which cannot be one line) is left to the SDKs' documentation, which carries it."""
    text = text or ""
    if "```" in text:
        text = text.split("```", 1)[0].rstrip(" \n:,;") + " (example in the SDK documentation)"
    text = " ".join(text.split())
    return text.replace("|", "\\|")


class Renderer:
    """Markdown for the schema's parts; remembers the types it linked to."""

    def __init__(self, schema: dict) -> None:
        self.schema = schema
        self.used_types: set[str] = set()

    def type_of(self, spec: dict) -> str:
        ref = spec.get("$ref")
        if ref:
            if ref.startswith(TYPE_REF):
                token = ref[len(TYPE_REF):]
                self._use(token)
                return f"[`{short(token)}`](#{anchor(token)})"
            return {"pulumi.json#/Any": "any (JSON)", "pulumi.json#/Json": "JSON"}.get(ref, ref.rsplit("/", 1)[-1].lower())
        if "oneOf" in spec:
            return " or ".join(self.type_of(option) for option in spec["oneOf"])
        kind = spec.get("type", "any")
        if kind == "array":
            return f"list of {self.type_of(spec.get('items', {}))}"
        if kind == "object" and "additionalProperties" in spec:
            return f"map of {self.type_of(spec['additionalProperties'])}"
        return kind

    def _use(self, token: str) -> None:
        if token in self.used_types:
            return
        self.used_types.add(token)
        for spec in self.schema.get("types", {}).get(token, {}).get("properties", {}).values():
            self.type_of(spec)  # types used by this type are listed too

    def properties(self, heading: str, properties: dict, required: list[str] | None) -> list[str]:
        """One table; with ``required`` given, a column saying which are required."""
        if not properties:
            return [f"No {heading}s.", ""]
        if required is None:
            lines = [f"| {heading} | type | description |", "|---|---|---|"]
        else:
            lines = [f"| {heading} | type | required | description |", "|---|---|---|---|"]
        for name in sorted(properties):
            spec = properties[name]
            description = cell(spec.get("description"))
            if spec.get("deprecationMessage"):
                description = f"**Deprecated:** {cell(spec['deprecationMessage'])} {description}".strip()
            if spec.get("secret"):
                description = f"{description} (secret)".strip()
            row = [f"`{name}`", self.type_of(spec)]
            if required is not None:
                row.append("yes" if name in required else "")
            lines.append("| " + " | ".join(row + [description]) + " |")
        return lines + [""]

    def component(self, token: str) -> list[str]:
        resource = self.schema["resources"][token]
        lines = [f"<details><summary><code>{short(token)}</code>: inputs and outputs (from the schema)</summary>", ""]
        lines += self.properties("input", resource.get("inputProperties", {}), resource.get("requiredInputs", []))
        lines += self.properties("output", resource.get("properties", {}), None)
        return lines + ["</details>"]

    def other_components(self, tokens: list[str]) -> list[str]:
        lines: list[str] = []
        for token in tokens:
            description = self.schema["resources"][token].get("description", "")
            lines += [f"**`{short(token)}`** (`{token}`): {cell(description)}", ""]
            lines += self.component(token) + [""]
        return lines[:-1] if lines else ["Every component has its own section above."]

    def functions(self) -> list[str]:
        lines: list[str] = []
        for token, function in sorted(self.schema.get("functions", {}).items()):
            name = short(token)
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
            lines += [f"**`{name}`** (TypeScript `{name}`, Python `{snake}`, Go `{name[0].upper() + name[1:]}`): "
                      f"{cell(function.get('description'))}", ""]
            inputs = function.get("inputs", {})
            outputs = function.get("outputs", {})
            lines += self.properties("input", inputs.get("properties", {}), inputs.get("required", []))
            lines += self.properties("output", outputs.get("properties", {}), None)
        return ["<details><summary>Provider functions: inputs and outputs (from the schema)</summary>", ""] + lines + ["</details>"]

    def provider(self) -> list[str]:
        config = self.schema.get("provider", {})
        lines = ["<details><summary>Provider configuration (<code>sagemaker-deployment:&lt;name&gt;</code>, from the schema)</summary>", ""]
        lines += self.properties("setting", config.get("inputProperties", {}), config.get("requiredInputs", []))
        return lines + ["</details>"]

    def types(self) -> list[str]:
        lines = ["<details><summary>Types used by the tables above (from the schema)</summary>", ""]
        done: set[str] = set()
        while self.used_types - done:
            for token in sorted(self.used_types - done):
                done.add(token)
                spec = self.schema["types"][token]
                lines += [f'<a id="{anchor(token)}"></a>**`{short(token)}`**: {cell(spec.get("description"))}', ""]
                if "enum" in spec:
                    values = ", ".join(f"`{json.dumps(item['value'])}`" + (f" ({cell(item['description'])})" if item.get("description") else "")
                                       for item in spec["enum"])
                    lines += [f"One of {values}.", ""]
                else:
                    lines += self.properties("property", spec.get("properties", {}), spec.get("required", []))
        return lines + ["</details>"]


def components(schema: dict) -> list[str]:
    return sorted(token for token, resource in schema.get("resources", {}).items() if resource.get("isComponent"))


def render(readme: str, schema: dict) -> str:
    """The README with every generated block rendered from ``schema``."""
    renderer = Renderer(schema)
    by_name = {short(token): token for token in components(schema)}
    blocks = list(_BLOCK.finditer(readme))
    kinds = [block["kind"] for block in blocks]
    for kind in ("other-components", "functions", "provider", "types"):
        if kinds.count(kind) != 1:
            raise ReadmeError(f"README.md needs exactly one <!-- schema:{kind} begin --> block, found {kinds.count(kind)}")
    sectioned = [block["name"] for block in blocks if block["kind"] == "component"]
    unknown = sorted(set(sectioned) - set(by_name))
    if unknown:
        raise ReadmeError(f"README.md has sections for components the schema does not have: {unknown}")
    repeated = sorted({name for name in sectioned if sectioned.count(name) > 1})
    if repeated:
        raise ReadmeError(f"README.md has more than one block for {repeated}")
    others = [by_name[name] for name in sorted(by_name) if name not in sectioned]

    # Types last: the other blocks decide which types are used.
    rendered: dict[int, str] = {}
    order = sorted(range(len(blocks)), key=lambda i: blocks[i]["kind"] == "types")
    for index in order:
        block = blocks[index]
        kind = block["kind"]
        if kind == "component":
            lines = renderer.component(by_name[block["name"]])
        elif kind == "other-components":
            lines = renderer.other_components(others)
        elif kind == "functions":
            lines = renderer.functions()
        elif kind == "provider":
            lines = renderer.provider()
        else:
            lines = renderer.types()
        rendered[index] = block["begin"] + "\n".join(lines) + "\n" + block["end"]

    result, last = [], 0
    for index, block in enumerate(blocks):
        result += [readme[last:block.start()], rendered[index]]
        last = block.end()
    result.append(readme[last:])
    return "".join(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when README.md differs from what schema.json gives")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--schema", type=Path, default=ROOT / "schema.json")
    args = parser.parse_args(argv)
    readme = args.readme.read_text()
    try:
        wanted = render(readme, json.loads(args.schema.read_text()))
    except ReadmeError as error:
        print(f"readme_tables: {error}", file=sys.stderr)
        return 1
    if wanted == readme:
        return 0
    if args.check:
        diff = difflib.unified_diff(readme.splitlines(True), wanted.splitlines(True), "README.md", "README.md (from schema.json)")
        sys.stderr.writelines(diff)
        print("readme_tables: README.md's tables are stale: run `make readme` and commit the result", file=sys.stderr)
        return 1
    args.readme.write_text(wanted)
    print(f"readme_tables: {args.readme.name} rewritten from {args.schema.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
