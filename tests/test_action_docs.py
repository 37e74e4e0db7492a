"""The per-API documentation pages: current, and listing every field of every model."""

from __future__ import annotations

import re
import sys
import typing
from pathlib import Path

import attrs
import pytest
from tests.test_touched import full

import elbtrail
from elbtrail import Api, classic, v2

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
PAGES = {
    Api.CLASSIC: (ROOT / "docs/actions/classic.md", classic),
    Api.V2: (ROOT / "docs/actions/v2.md", v2),
}
ROW = re.compile(r"^\| `(?P<name>[a-z0-9_]+)` \| (?P<type>.+?) \| `(?P<wire>[^`]+)` \|")


def generator():
    sys.path.insert(0, str(SCRIPTS))
    try:
        import generate_action_docs  # noqa: PLC0415

        return generate_action_docs
    finally:
        sys.path.remove(str(SCRIPTS))


def tables(text: str) -> dict[str, list[re.Match[str]]]:
    """The rows of each class's table on a page, by class name."""
    found: dict[str, list[re.Match[str]]] = {}
    current: str | None = None
    for line in text.splitlines():
        heading = re.match(
            r"^(?:### (\w+)|\*\*[\w ]+\*\*: `elbtrail\.\w+\.(\w+)`)$", line
        )
        if heading:
            current = heading.group(1) or heading.group(2)
            found.setdefault(current, [])
        elif line.startswith("## "):
            current = None
        elif current is not None and (row := ROW.match(line)):
            found[current].append(row)
    return found


def model_classes(module):
    return [
        getattr(module, name)
        for name in module.__all__
        if isinstance(getattr(module, name), type)
        and issubclass(getattr(module, name), elbtrail.Model)
    ]


class TestActionPages:
    def test_the_pages_are_current(self):
        """The committed pages are what the generator writes today."""
        for path, text in generator().render_all().items():
            assert path.read_text(encoding="utf-8") == text, (
                f"{path.name} is stale: run scripts/generate_action_docs.py"
            )

    def test_check_mode_reports_a_stale_page(self, tmp_path, monkeypatch):
        """--check exits 1 and names the page when a page differs."""
        module = generator()
        monkeypatch.setattr(module, "DOCS", tmp_path)
        monkeypatch.setattr(module, "ROOT", tmp_path)

        assert 0 == module.main([])  # writes the pages
        (tmp_path / "v2.md").write_text("old\n", encoding="utf-8")

        assert 1 == module.main(["--check"])
        assert 0 == module.main([])
        assert 0 == module.main(["--check"])

    @pytest.mark.parametrize("api", list(Api))
    def test_every_action_has_a_section(self, api):
        """Each of the API's actions has its heading and both of its classes."""
        path, _ = PAGES[api]
        text = path.read_text(encoding="utf-8")

        public = "elbtrail.classic" if api is Api.CLASSIC else "elbtrail.v2"
        for name, action in elbtrail.actions(api).items():
            assert f"\n## {name}\n" in text
            assert f"`{public}.{action.request.__name__}`" in text
            assert f"`{public}.{action.response.__name__}`" in text

    @pytest.mark.parametrize("api", list(Api))
    def test_every_field_of_every_model_is_listed_with_its_wire_key(self, api):
        """Each model's table lists exactly its fields, with the keys it writes."""
        path, module = PAGES[api]
        found = tables(path.read_text(encoding="utf-8"))
        classes = model_classes(module)

        assert len(classes) > 80
        for cls in classes:
            # The keys the class really writes, from a fully populated instance.
            written = set(full(cls).to_dict())
            names = {f.name for f in attrs.fields(cls)} - {"extra", "verbatim"}
            rows = found.get(cls.__name__)

            assert rows is not None, f"{cls.__name__} has no table"
            assert names == {r["name"] for r in rows}, cls.__name__
            assert written == {r["wire"] for r in rows}, cls.__name__

    def test_the_fields_people_look_for_are_there(self):
        """Fields users asked after are listed, with their types."""
        classic_page = PAGES[Api.CLASSIC][0].read_text(encoding="utf-8")
        v2_page = PAGES[Api.V2][0].read_text(encoding="utf-8")

        assert "| `load_balancer_port` | `int` | `loadBalancerPort` |" in classic_page
        assert "| `health_check_path` | `str` | `healthCheckPath` |" in v2_page
        assert "| `ssl_certificate_id` | `str` | `sSLCertificateId` |" in classic_page


class TestHelpers:
    def test_first_sentence_is_plain_and_safe_in_a_table(self):
        """HTML is dropped, entities decoded, and table syntax escaped."""
        text = generator().first_sentence(
            "<p>Use <code>a|b</code> &amp; <i>x_y</i> here. Second sentence.</p>"
        )

        assert "Use a\\|b & x\\_y here." == text

    def test_type_text_drops_none(self):
        """Optional types read without None; tuples keep their item type."""
        module = generator()
        hints = typing.get_type_hints(classic.CreateLoadBalancerRequest)

        assert "tuple[Listener, ...]" == module.type_text(hints["listeners"])
        assert "str" == module.type_text(hints["load_balancer_name"])
        assert "ProtocolEnum or str" == module.type_text(
            typing.get_type_hints(v2.CreateListenerRequest)["protocol"]
        )
