"""The call script as data: the bundled script, errors that say file + line + key, placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from winback_desktop.resources import resource_path
from winback_desktop.script import PLACEHOLDERS, ScriptError, StageRole, default_script, fill, load_script
from winback_desktop.script.loader import FIELD_KINDS, load_script_text
from winback_desktop.script.locate import line_index, locate
from winback_desktop.script.placeholders import names_in

BUNDLED = resource_path("scripts", "recovery-call.toml")
TEXT = BUNDLED.read_text(encoding="utf-8")


# --- helpers: find lines in a text independently of the code under test ------------------------


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the nth line that contains ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) > nth, f"{needle!r} occurs {len(hits)} times"
    return hits[nth]


def header_lines(text: str, header: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == header]


def stage_span(text: str, stage: int) -> tuple[int, int]:
    """First and last line (1-based, inclusive) of the stage-th ``[[stages]]`` block."""
    starts = header_lines(text, "[[stages]]")
    end = starts[stage + 1] - 1 if stage + 1 < len(starts) else len(text.splitlines())
    return starts[stage], end


def field_header(text: str, stage: int, field: int) -> int:
    first, last = stage_span(text, stage)
    return [n for n in header_lines(text, "[[stages.fields]]") if first <= n <= last][field]


def replace_line(text: str, number: int, new: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[number - 1] = new + "\n"
    return "".join(lines)


def write(tmp_path: Path, text: str, name: str = "broken.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def load_error(tmp_path: Path, text: str) -> ScriptError:
    p = write(tmp_path, text)
    with pytest.raises(ScriptError) as info:
        load_script(p)
    err = info.value
    assert str(p) in str(err), "the message names the file"
    return err


def assert_names(err: ScriptError, line: int, key: str) -> None:
    assert err.line == line
    assert err.key == key
    msg = str(err)
    assert f"line {line}:" in msg
    assert key in msg


# --- the bundled script -------------------------------------------------------------------------


def test_bundled_script_has_the_four_stages_in_order():
    script = default_script()
    assert [s.key for s in script.stages] == ["initiate", "probe", "earn", "close"]
    assert script.name and script.version
    assert script.source == str(BUNDLED)
    for stage in script.stages:
        assert stage.title.strip()
        assert stage.goal.strip()
        assert stage.lines and all(line.strip() for line in stage.lines)
        assert stage.checklist and all(item.strip() for item in stage.checklist)
        assert stage.fields
        for f in stage.fields:
            assert f.kind in FIELD_KINDS
            assert f.label.strip()
            if f.kind == "choice":
                assert f.choices and all(code and label for code, label in f.choices)


def test_bundled_script_uses_each_special_kind_exactly_once():
    script = default_script()
    kinds = [f.kind for s in script.stages for f in s.fields]
    for kind in ("reasons", "offers", "actions"):
        assert kinds.count(kind) == 1, kind
    keys = [f.key for s in script.stages for f in s.fields]
    assert len(keys) == len(set(keys))


def test_heard_back_is_prefilled_from_their_own_words():
    script = default_script()
    stage, heard_back = script.field("heard_back")
    assert stage.key == "probe"
    assert heard_back.prefill_from == ("what_happened", "their_story")
    assert script.field("what_happened")[0].key == "initiate"
    assert script.field("their_story")[0].key == "probe"


def test_bundled_lines_use_only_known_placeholders_and_fill_completely():
    script = default_script()
    values = {name: f"<{name}>" for name in PLACEHOLDERS}
    for stage in script.stages:
        for line in stage.lines:
            filled = fill(line, values)
            assert "{" not in filled and "}" not in filled
            assert not re.search(r"\[[a-z ]+\]", filled), filled
            for name in names_in(line):
                assert f"<{name}>" in filled


def test_script_helpers_find_stages_and_fields():
    script = default_script()
    assert script.stage("earn").key == "earn"
    assert script.stage_index("close") == 3
    assert script.field_of_kind("offers")[1].key == "offers"
    assert script.field_of_kind("nonexistent") is None
    with pytest.raises(KeyError):
        script.stage("nope")
    with pytest.raises(KeyError):
        script.field("nope")


def test_load_script_text_matches_load_script():
    from_file = load_script(BUNDLED)
    from_text = load_script_text(TEXT, "x.toml")
    assert from_file.stages == from_text.stages
    assert from_text.source == "x.toml"


# --- malformed scripts: file, line and key ------------------------------------------------------


def test_toml_syntax_error_names_the_line(tmp_path):
    target = line_of(TEXT, 'title = "Probe"')
    broken = replace_line(TEXT, target, 'title = "Probe')  # unterminated string
    err = load_error(tmp_path, broken)
    assert err.line == target
    assert f"line {target}:" in str(err)
    assert "TOML" in str(err)


def test_missing_goal_in_stage_2_points_at_its_header(tmp_path):
    goal = line_of(TEXT, "goal = ", nth=1)
    first, last = stage_span(TEXT, 1)
    assert first < goal <= last
    broken = replace_line(TEXT, goal, "# no goal here")
    err = load_error(tmp_path, broken)
    assert_names(err, first, "stages[1].goal")
    assert "missing" in err.problem


def test_unknown_field_kind_names_the_kind_line(tmp_path):
    head = field_header(TEXT, 1, 2)  # the 3rd field of stage 2
    kind = next(n for n in range(head, head + 10) if TEXT.splitlines()[n - 1].startswith("kind ="))
    broken = replace_line(TEXT, kind, 'kind = "essay"')
    err = load_error(tmp_path, broken)
    assert_names(err, kind, "stages[1].fields[2].kind")
    assert "'essay'" in err.problem
    for known in FIELD_KINDS:
        assert known in err.problem


def test_unknown_placeholder_names_the_lines_key(tmp_path):
    assert TEXT.count("{contact_first}, this is") == 1
    broken = TEXT.replace("{contact_first}, this is", "{nmae}, this is")
    err = load_error(tmp_path, broken)
    assert_names(err, line_of(TEXT, "lines = [", nth=0), "stages[0].lines")
    assert "{nmae}" in err.problem
    assert "{contact}" in err.problem  # says which ones exist


def test_placeholder_with_format_spec_in_a_line_is_refused(tmp_path):
    broken = TEXT.replace("{months} months", "{months:>3} months")
    assert broken != TEXT
    err = load_error(tmp_path, broken)
    assert_names(err, line_of(TEXT, "lines = [", nth=0), "stages[0].lines")


def test_duplicated_field_key(tmp_path):
    target = line_of(TEXT, 'key = "fault"')
    broken = replace_line(TEXT, target, 'key = "their_story"')
    err = load_error(tmp_path, broken)
    assert err.line == target
    assert "their_story" in err.problem and "twice" in err.problem
    first, last = stage_span(TEXT, 1)
    j = sum(1 for n in header_lines(TEXT, "[[stages.fields]]") if first <= n < target) - 1
    assert err.key == f"stages[1].fields[{j}].key"


def test_stages_in_the_wrong_order(tmp_path):
    probe = line_of(TEXT, 'key = "probe"')
    earn = line_of(TEXT, 'key = "earn"')
    broken = replace_line(replace_line(TEXT, probe, 'key = "earn"'), earn, 'key = "probe"')
    err = load_error(tmp_path, broken)
    assert err.key.startswith("stages")
    assert err.line == probe  # the first stage that is out of place
    assert "initiate, probe, earn, close" in err.problem


def test_a_missing_stage(tmp_path):
    first, last = stage_span(TEXT, 2)  # drop "earn" and its fields
    lines = TEXT.splitlines(keepends=True)
    broken = "".join(lines[: first - 1] + lines[last:])
    err = load_error(tmp_path, broken)
    assert err.key.startswith("stages")
    assert err.line == line_of(broken, 'key = "close"')  # where "earn" was expected
    assert "initiate, probe, earn, close" in err.problem


def test_the_last_stage_missing_points_at_the_stages(tmp_path):
    first, _last = stage_span(TEXT, 3)
    broken = "".join(TEXT.splitlines(keepends=True)[: first - 1])
    err = load_error(tmp_path, broken)
    assert err.key == "stages"
    assert err.line == header_lines(broken, "[[stages]]")[0]


def test_choice_field_without_choices(tmp_path):
    target = line_of(TEXT, 'choices = [["yes", "Yes"], ["not_yet"')
    broken = replace_line(TEXT, target, "")
    err = load_error(tmp_path, broken)
    assert_names(err, field_header(TEXT, 2, 0), "stages[2].fields[0].choices")


def test_choice_field_with_malformed_choices(tmp_path):
    target = line_of(TEXT, 'choices = [["yes", "Yes"], ["not_yet"')
    broken = replace_line(TEXT, target, 'choices = ["yes", "no"]')
    err = load_error(tmp_path, broken)
    assert_names(err, target, "stages[2].fields[0].choices")


def test_prefill_from_a_field_that_does_not_exist(tmp_path):
    broken = TEXT.replace(
        'prefill_from = ["what_happened", "their_story"]', 'prefill_from = ["what_hapened"]'
    )
    assert broken != TEXT
    err = load_error(tmp_path, broken)
    assert_names(err, line_of(TEXT, "prefill_from ="), "stages[1].fields[1].prefill_from")
    assert "'what_hapened'" in err.problem


def test_non_utf8_file(tmp_path):
    target = line_of(TEXT, 'title = "Close"')
    raw = replace_line(TEXT, target, 'title = "Cl\x00se"').encode("utf-8").replace(b"\x00", b"\xe9")
    p = tmp_path / "latin1.toml"
    p.write_bytes(raw)
    with pytest.raises(ScriptError) as info:
        load_script(p)
    err = info.value
    assert str(p) in str(err)
    assert "UTF-8" in str(err)
    assert err.line == target


def test_missing_file(tmp_path):
    p = tmp_path / "nope.toml"
    with pytest.raises(ScriptError) as info:
        load_script(p)
    assert str(p) in str(info.value)
    assert "cannot be read" in str(info.value)


def test_missing_script_table(tmp_path):
    broken = TEXT.replace("[script]", "[scrypt]")
    err = load_error(tmp_path, broken)
    assert err.key == "script"


def test_script_error_is_a_value_error_with_parts():
    err = ScriptError("f.toml", 3, "stages[0].goal", "is missing")
    assert isinstance(err, ValueError)
    assert str(err) == "f.toml, line 3: stages[0].goal: is missing"
    assert str(ScriptError("f.toml", None, "(file)", "gone")) == "f.toml: (file): gone"


# --- locate.line_index --------------------------------------------------------------------------


def test_line_index_on_the_bundled_script():
    index = line_index(TEXT)
    assert index[("script",)] == line_of(TEXT, "[script]")
    assert index[("script", "version")] == line_of(TEXT, "version = ")
    assert index[("stages", 0)] == header_lines(TEXT, "[[stages]]")[0]
    assert index[("stages", 3, "key")] == line_of(TEXT, 'key = "close"')
    # the line after a multi-line array is found again
    assert index[("stages", 0, "checklist")] == line_of(TEXT, "checklist = [", nth=0)
    assert index[("stages", 2, "fields", 3, "choices")] == line_of(TEXT, "choices = [", nth=1)
    assert index[("stages", 3, "fields", 3, "key")] == line_of(TEXT, 'key = "outcome"')


NESTED = """\
# a comment with [[brackets]] and key = "x"
[top]
name = "t"

[[stages]]   # first
key = "a"
lines = [
  "one ] with a bracket",   # and a comment ]
  [ "nested", "array" ],
  'literal [ string',
]
after = 1
quote = 'three \"\"\" quotes in a literal string'
after_quote = 2

[[stages.fields]]
key = "a1"

[[stages.fields.choices]]
code = "c0"

[[stages.fields.choices]]
code = "c1"

[[stages.fields]]
key = "a2"
help = \"\"\"
[[stages]]
key = "not a stage"
\"\"\"
kind = "text"

[[stages]]
key = "b"
goal = '''one line literal''' # [
notes = \"\"\"
  a # not a comment
  ]
\"\"\"
lines = [
  \"\"\"
  multi-line in an array
  \"\"\"]
checklist = []

[[stages.fields]]
key = "b1"

[stages.extra]
x = 1
"""


def test_line_index_nested_arrays_of_tables_strings_and_comments():
    index = line_index(NESTED)
    assert index[("top",)] == line_of(NESTED, "[top]")
    assert index[("top", "name")] == line_of(NESTED, 'name = "t"')
    assert index[("stages", 0)] == line_of(NESTED, "[[stages]]   # first")
    assert index[("stages", 1)] == header_lines(NESTED, "[[stages]]")[-1]
    assert index[("stages", 0, "key")] == line_of(NESTED, 'key = "a"')
    assert index[("stages", 0, "lines")] == line_of(NESTED, "lines = [", nth=0)
    assert index[("stages", 0, "after")] == line_of(NESTED, "after = 1")
    assert index[("stages", 0, "after_quote")] == line_of(NESTED, "after_quote = 2")
    assert index[("stages", 0, "fields", 0, "key")] == line_of(NESTED, 'key = "a1"')
    assert index[("stages", 0, "fields", 0, "choices", 0, "code")] == line_of(NESTED, 'code = "c0"')
    assert index[("stages", 0, "fields", 0, "choices", 1, "code")] == line_of(NESTED, 'code = "c1"')
    assert index[("stages", 0, "fields", 1, "key")] == line_of(NESTED, 'key = "a2"')
    # the [[stages]] inside a triple-quoted string is text, not a header
    assert index[("stages", 0, "fields", 1, "kind")] == line_of(NESTED, 'kind = "text"')
    assert index[("stages", 1, "key")] == line_of(NESTED, 'key = "b"')
    assert ("stages", 2) not in index
    assert index[("stages", 1, "notes")] == line_of(NESTED, "notes = ")
    assert index[("stages", 1, "lines")] == line_of(NESTED, "lines = [", nth=1)
    # after a multi-line string that closes an array on the same line
    assert index[("stages", 1, "checklist")] == line_of(NESTED, "checklist = []")
    assert index[("stages", 1, "fields", 0, "key")] == line_of(NESTED, 'key = "b1"')
    assert index[("stages", 1, "extra", "x")] == line_of(NESTED, "x = 1")
    assert ("key",) not in index  # the comment on line 1 is no key


def test_nested_sample_is_valid_toml_with_the_shape_we_index():
    import tomllib

    data = tomllib.loads(NESTED)
    assert [s["key"] for s in data["stages"]] == ["a", "b"]
    assert data["stages"][0]["fields"][1]["kind"] == "text"
    assert [c["code"] for c in data["stages"][0]["fields"][0]["choices"]] == ["c0", "c1"]


def test_locate_falls_back_to_the_nearest_ancestor():
    second = header_lines(NESTED, "[[stages]]")[-1]
    assert locate(NESTED, ("stages", 1, "goal", "deeper")) == line_of(NESTED, "goal = '''")
    assert locate(NESTED, ("stages", 1, "missing")) == second
    assert locate(NESTED, ("nothing", "here")) is None


# --- placeholders -------------------------------------------------------------------------------


def test_fill_fills_known_names():
    assert (
        fill("Hello {contact}, {caller} here.", {"contact": "Ana", "caller": "Bo"}) == "Hello Ana, Bo here."
    )


def test_fill_shows_a_missing_value_as_its_name():
    assert fill("Hi {contact}!", {}) == "Hi [contact]!"
    assert fill("Hi {contact}!", {"contact": ""}) == "Hi [contact]!"
    assert fill("Hi {contact_first}", {}) == "Hi [contact first]"


def test_fill_with_escaped_braces_and_braces_in_values():
    assert fill("{{literal}} {customer}", {"customer": "A{b}c"}) == "{literal} A{b}c"
    assert fill("}} and {{", {}) == "} and {"


def test_names_in():
    assert names_in("Hi {contact}, {caller} from {company} {{not}}") == ["contact", "caller", "company"]
    assert names_in("no braces") == []


@pytest.mark.parametrize("text", ["{x!r}", "{x:>3}", "{1}", "{}", "{a.b}", "{a[0]}", "{x:{y}}"])
def test_names_in_rejects_anything_but_plain_names(text):
    with pytest.raises(ValueError, match="plain name"):
        names_in(text)


@pytest.mark.parametrize("text", ["{", "}", "a { b", "{x"])
def test_names_in_rejects_broken_braces(text):
    with pytest.raises(ValueError):
        names_in(text)


_plain = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20)
_names = st.one_of(
    st.sampled_from(sorted(PLACEHOLDERS)), st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
)
_pieces = st.one_of(_plain, st.just("{{"), st.just("}}"), _names.map(lambda n: "{" + n + "}"))
_template = st.lists(_pieces, max_size=12).map("".join)
_values = st.dictionaries(st.sampled_from(sorted(PLACEHOLDERS)), st.text(max_size=10))


@given(_template, _values)
def test_fill_never_raises_on_accepted_templates(text, values):
    names = names_in(text)
    out = fill(text, values)
    assert isinstance(out, str)
    for name in names:
        if values.get(name):
            assert values[name] in out
        else:
            assert f"[{name.replace('_', ' ')}]" in out


@given(st.text(alphabet=st.sampled_from("ab {}!:0._[]"), max_size=20), _values)
def test_fill_never_raises_when_names_in_accepts(text, values):
    try:
        names_in(text)
    except ValueError:
        assume(False)
    fill(text, values)


@given(_plain, _values)
def test_text_without_braces_comes_back_unchanged(text, values):
    assert fill(text, values) == text


def test_placeholder_names_are_plain_identifiers_and_documented():
    for name in PLACEHOLDERS:
        assert name.isidentifier()
        assert names_in("{" + name + "}") == [name]
    header = TEXT.split("[script]")[0]  # the comment at the top lists the placeholders
    assert set(re.findall(r"\{(\w+)\}", header)) == set(PLACEHOLDERS)


# --- stage roles ----------------------------------------------------------------------------------


def test_each_bundled_stage_declares_its_role():
    script = default_script()
    assert [s.role for s in script.stages] == list(StageRole)
    assert script.stage_for(StageRole.LISTEN).key == "probe"
    assert script.stage_for(StageRole.HELP).key == "earn"
    assert script.stage_for(StageRole.CLOSE) is script.field_of_kind("actions")[0]
    assert script.outcome_field()[0] is script.stage_for(StageRole.CLOSE)


def test_a_missing_role_names_the_stage(tmp_path):
    target = line_of(TEXT, 'role = "help"')
    broken = replace_line(TEXT, target, "")
    err = load_error(tmp_path, broken)
    assert_names(err, header_lines(broken, "[[stages]]")[2], "stages[2].role")
    assert "missing" in err.problem
    assert "open, listen, help, close" in err.problem


def test_an_unknown_role_names_its_line(tmp_path):
    target = line_of(TEXT, 'role = "listen"')
    err = load_error(tmp_path, replace_line(TEXT, target, 'role = "probe"'))
    assert_names(err, target, "stages[1].role")
    assert "'probe'" in err.problem and "open, listen, help, close" in err.problem
    err = load_error(tmp_path, replace_line(TEXT, target, "role = 2"))
    assert_names(err, target, "stages[1].role")


def test_a_role_used_twice_names_the_second_stage(tmp_path):
    target = line_of(TEXT, 'role = "help"')
    err = load_error(tmp_path, replace_line(TEXT, target, 'role = "listen"'))
    assert_names(err, target, "stages[2].role")
    assert "'listen'" in err.problem and "'probe'" in err.problem


def test_a_call_snapshot_from_before_roles_still_loads():
    """Calls keep the script they started with; those saved before roles have none."""
    old = "\n".join(line for line in TEXT.splitlines() if not line.startswith("role = "))
    with pytest.raises(ScriptError):
        load_script_text(old, "snapshot")
    script = load_script_text(old, "snapshot", legacy_roles=True)
    assert script.stages == default_script().stages


def test_choice_labels_come_from_the_script():
    script = default_script()
    assert script.choice_label("outcome", "won_back") == "Won back"
    assert script.choice_label("outcome", "let_go") is None
    assert script.choice_label("nope", "won_back") is None
