"""Hostile script files: whatever is broken, the loader answers with a ScriptError naming the
file and (where it can) the line — never another exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from winback_desktop.resources import resource_path
from winback_desktop.script import CallScript, ScriptError, load_script_text

BUNDLED = resource_path("scripts", "recovery-call.toml").read_text(encoding="utf-8")
LINES = BUNDLED.splitlines()


def _check(text: str) -> None:
    try:
        script = load_script_text(text, "broken.toml")
    except ScriptError as exc:
        assert str(exc).startswith("broken.toml")
        assert exc.problem
        if exc.line is not None:
            assert 1 <= exc.line <= max(len(text.splitlines()), 1)
    else:
        assert isinstance(script, CallScript)
        assert [s.key for s in script.stages] == ["initiate", "probe", "earn", "close"]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_line_level_damage(data):
    lines = list(LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "replace", "insert", "truncate"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "replace":
            lines[i] = data.draw(st.text(max_size=40))
        elif action == "insert":
            lines.insert(i, data.draw(st.text(max_size=40)))
        else:
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
    _check("\n".join(lines))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    _check(text)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["goal", "title", "label", "kind", "key", "lines", "checklist", "choices"]), st.data())
def test_values_of_the_wrong_type(key, data):
    value = data.draw(st.sampled_from(["42", "true", "[]", "[1, 2]", '""', "{ a = 1 }", '"{oops"']))
    lines = [f"{key} = {value}" if line.startswith(f"{key} =") else line for line in LINES]
    _check("\n".join(lines))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["fields", "lines", "checklist", "goal", "title", "prefill_from", "choices", "stages"]),
    st.sampled_from(["3", "true", '"text"', "[1]", "[[1]]", "{ a = 1 }", "[]", '["a", 1]']),
    st.integers(0, 3),
)
def test_stage_keys_with_wrong_types(key, value, stage):
    """A key of the wrong type added to one stage (where TOML allows it)."""
    lines, seen = [], -1
    for line in LINES:
        lines.append(line)
        if line == "[[stages]]":
            seen += 1
            if seen == stage:
                lines.append(f"{key} = {value}")
    _check("\n".join(lines))


def test_fields_that_is_not_a_list_of_tables():
    stages = "".join(
        f'[[stages]]\nkey = "{k}"\ntitle = "T"\ngoal = "G"\n' + ("fields = 3\n" if k == "probe" else "")
        for k in ("initiate", "probe", "earn", "close")
    )
    text = '[script]\nname = "x"\nversion = "1"\n' + stages
    try:
        load_script_text(text, "broken.toml")
    except ScriptError as exc:
        assert exc.line == text.splitlines().index("fields = 3") + 1
        assert "stages[1].fields" in str(exc)
    else:
        raise AssertionError("a non-list 'fields' was accepted")
