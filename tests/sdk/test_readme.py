"""The README's reference tables are schema.json's (`make readme` rewrites them), every component
has a section with a TypeScript and a Python snippet, and the snippets use only inputs the schema
has; the generator renders whatever a schema holds."""

from __future__ import annotations

import ast
import copy
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import readme_tables  # noqa: E402

README = (ROOT / "README.md").read_text()
SCHEMA = json.loads((ROOT / "schema.json").read_text())
PREFIX = "sagemaker-deployment:index:"
COMPONENTS = sorted(readme_tables.short(token) for token in readme_tables.components(SCHEMA))


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def test_the_readme_tables_are_what_schema_json_gives():
    wanted = readme_tables.render(README, SCHEMA)
    assert wanted == README, "README.md's tables are stale: run `make readme` and commit the result"


def sections() -> dict[str, str]:
    """Each component's section: from its heading to its generated block."""
    found = {}
    for name in COMPONENTS:
        block = README.find(f"<!-- schema:component {name} begin")
        if block < 0:
            continue
        heading = list(re.finditer(r"^#{2,3} (.*)$", README[:block], re.MULTILINE))[-1]
        assert re.match(rf"{name}\b", heading.group(1)), f"the generated block of {name} is under {heading.group(0)!r}"
        found[name] = README[heading.start():block]
    return found


def test_every_component_has_a_section_with_a_typescript_and_a_python_snippet():
    found = sections()
    assert sorted(found) == COMPONENTS
    for name, text in found.items():
        assert f"new sd.{name}(" in text and "```typescript" in text, name
        assert f"sd.{name}(" in text and "```python" in text, name


def snippets(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.DOTALL)


def inputs_of(name: str) -> set[str]:
    token = PREFIX + name
    if token in SCHEMA["resources"]:
        return set(SCHEMA["resources"][token].get("inputProperties", {}))
    function = SCHEMA["functions"][PREFIX + name[0].lower() + name[1:]]
    return set(function.get("inputs", {}).get("properties", {}))


def test_python_snippets_parse_and_pass_only_inputs_the_schema_has():
    calls = 0
    for snippet in snippets("python"):
        for node in ast.walk(ast.parse(snippet)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "sd"):
                continue
            name = node.func.attr
            resource = name if name[0].isupper() else camel(name)[0].upper() + camel(name)[1:]
            given = {camel(keyword.arg) for keyword in node.keywords if keyword.arg}
            assert given <= inputs_of(resource), (name, sorted(given - inputs_of(resource)))
            calls += 1
    assert calls >= len(COMPONENTS)


def top_level_keys(text: str, start: int) -> set[str]:
    """The keys of the object literal opening at ``text[start] == "{"``."""
    depth, keys, token = 0, set(), ""
    for char in text[start:]:
        if char in "{[(":
            depth += 1
            if depth == 1:
                continue
        elif char in "}])":
            depth -= 1
            if depth == 0:
                break
        if depth == 1:
            if char in ":,":
                if token.strip() and re.fullmatch(r"[A-Za-z_$][\w$]*", token.strip()):
                    keys.add(token.strip())
                token = "" if char == "," else "\0"  # after ':' the value follows: ignore it
            elif token != "\0":
                token += char
    if token not in ("", "\0") and re.fullmatch(r"[A-Za-z_$][\w$]*", token.strip()):
        keys.add(token.strip())
    return keys


def test_typescript_snippets_pass_only_inputs_the_schema_has():
    calls = 0
    for snippet in snippets("typescript"):
        code = "\n".join(line.split("//", 1)[0] for line in snippet.splitlines())
        for match in re.finditer(r"new sd\.(\w+)\(\s*\"[^\"]+\",\s*\{", code):
            given = top_level_keys(code, match.end() - 1)
            assert given, match.group(0)
            assert given <= inputs_of(match.group(1)), (match.group(1), sorted(given - inputs_of(match.group(1))))
            calls += 1
        for match in re.finditer(r"sd\.([a-z]\w+)\(\s*\{", code):
            given = top_level_keys(code, match.end() - 1)
            assert given <= inputs_of(match.group(1)), (match.group(1), sorted(given - inputs_of(match.group(1))))
    assert calls >= len(COMPONENTS)


# -- the generator, on schemas other than today's ---------------------------------------------

MINIMAL = """# x

<!-- schema:component Thing begin (generated) -->
<!-- schema:component Thing end -->

<!-- schema:other-components begin (generated) -->
<!-- schema:other-components end -->

<!-- schema:functions begin (generated) -->
<!-- schema:functions end -->

<!-- schema:provider begin (generated) -->
<!-- schema:provider end -->

<!-- schema:types begin (generated) -->
<!-- schema:types end -->
"""


def schema_with_thing() -> dict:
    return {
        "provider": {"inputProperties": {"region": {"type": "string", "description": "The region."}}},
        "resources": {
            PREFIX + "Thing": {
                "isComponent": True,
                "inputProperties": {
                    "size": {"$ref": "#/types/" + PREFIX + "Size", "description": "How big | how small."},
                    "names": {"type": "array", "items": {"type": "string"}, "description": "Names."},
                },
                "requiredInputs": ["size"],
                "properties": {"arn": {"type": "string", "description": "The ARN."}},
            }
        },
        "types": {
            PREFIX + "Size": {"type": "object", "properties": {"unit": {"$ref": "#/types/" + PREFIX + "Unit"}}},
            PREFIX + "Unit": {"type": "string", "enum": [{"value": "GB"}, {"value": "TB"}]},
        },
        "functions": {},
    }


def test_the_generator_renders_inputs_outputs_and_the_types_they_use():
    text = readme_tables.render(MINIMAL, schema_with_thing())
    assert "| `size` | [`Size`](#type-size) | yes | How big \\| how small. |" in text
    assert "| `names` | list of string |  | Names. |" in text
    assert "| `arn` | string | The ARN. |" in text
    # Types reached through other types are listed too.
    assert '<a id="type-size"></a>' in text and '<a id="type-unit"></a>' in text
    assert 'One of `"GB"`, `"TB"`.' in text
    assert "| `region` | string |  | The region. |" in text
    assert readme_tables.render(text, schema_with_thing()) == text  # a second run changes nothing


def test_new_components_functions_and_inputs_show_up_without_editing_the_readme():
    schema = schema_with_thing()
    schema["resources"][PREFIX + "Thing"]["inputProperties"]["colour"] = {"type": "string", "description": "New."}
    schema["resources"][PREFIX + "Other"] = copy.deepcopy(schema["resources"][PREFIX + "Thing"])
    schema["resources"][PREFIX + "Other"]["description"] = "A component without a section."
    schema["functions"][PREFIX + "dashboardBody"] = {
        "description": "The dashboard JSON.",
        "inputs": {"properties": {"endpointName": {"type": "string", "description": "The endpoint."}}, "required": ["endpointName"]},
        "outputs": {"properties": {"body": {"type": "string", "description": "The JSON."}}},
    }
    text = readme_tables.render(MINIMAL, schema)
    assert "| `colour` | string |  | New. |" in text
    other = text[text.index("<!-- schema:other-components begin"):text.index("<!-- schema:other-components end")]
    assert "**`Other`**" in other and "A component without a section." in other
    assert "**`dashboardBody`** (TypeScript `dashboardBody`, Python `dashboard_body`, Go `DashboardBody`)" in text
    assert "| `endpointName` | string | yes | The endpoint. |" in text


def test_a_section_for_a_component_the_schema_lost_is_an_error():
    schema = schema_with_thing()
    del schema["resources"][PREFIX + "Thing"]
    with pytest.raises(readme_tables.ReadmeError, match="Thing"):
        readme_tables.render(MINIMAL, schema)


def test_check_mode_fails_on_drift_and_passes_when_current(tmp_path, capsys):
    readme, schema = tmp_path / "README.md", tmp_path / "schema.json"
    schema.write_text(json.dumps(schema_with_thing()))
    readme.write_text(MINIMAL)
    assert readme_tables.main(["--check", "--readme", str(readme), "--schema", str(schema)]) == 1
    assert "make readme" in capsys.readouterr().err
    assert readme_tables.main(["--readme", str(readme), "--schema", str(schema)]) == 0
    assert readme_tables.main(["--check", "--readme", str(readme), "--schema", str(schema)]) == 0


def test_a_code_example_in_a_description_stays_out_of_the_table():
    schema = schema_with_thing()
    schema["resources"][PREFIX + "Thing"]["properties"]["arn"]["description"] = "The ARN, e.g.:\n```python\nprint(arn)\n```\n"
    text = readme_tables.render(MINIMAL, schema)
    assert "| `arn` | string | The ARN, e.g. (example in the SDK documentation) |" in text
    generated = text[text.index("<!-- schema:component Thing begin"):text.index("<!-- schema:component Thing end")]
    assert "```" not in generated
