"""Walking trees of log files: special files, unreadable folders, links."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from tests.conftest import corpus_record

import elbtrail


def _log(path: Path, name: str) -> None:
    record = corpus_record("classic-guide-createloadbalancer.json")
    record["requestParameters"]["loadBalancerName"] = name
    record["eventID"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"Records": [record]}))


def _names(events: object) -> list[str]:
    return [e.request_parameters.load_balancer_name for e in events]  # type: ignore[attr-defined]


def _both(root: Path) -> list[tuple[list[str], list[str]]]:
    """Events and issue codes from read and from iter_events."""
    done = elbtrail.read(root)
    stream = elbtrail.iter_events(root)
    names = _names(stream)
    return [
        (_names(done), [i.code for i in done.issues]),
        (names, [i.code for i in stream.issues]),
    ]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    _log(root / "a.json", "a")
    _log(root / "sub" / "b.json", "b")
    return root


class TestSpecialFiles:
    def test_fifo_in_a_tree_is_skipped_with_a_notice(self, tree):
        """A FIFO would block forever: it is reported, and the rest read."""
        os.mkfifo(tree / "sub" / "a-fifo")

        for names, codes in _both(tree):
            assert ["a", "b"] == names
            assert ["special-file"] == codes

    def test_socket_in_a_tree_is_skipped_with_a_notice(self):
        """Sockets are not files of records either."""
        import socket  # noqa: PLC0415 - only this test needs it

        # A short path: socket paths are limited to about 100 bytes.
        with tempfile.TemporaryDirectory(dir="/tmp") as folder:
            root = Path(folder)
            _log(root / "a.json", "a")
            server = socket.socket(socket.AF_UNIX)
            try:
                server.bind(str(root / "s"))
                for names, codes in _both(root):
                    assert ["a"] == names
                    assert ["special-file"] == codes
            finally:
                server.close()

    def test_fifo_given_as_the_path_is_read(self, tmp_path):
        """A pipe named on purpose (process substitution) is read."""
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        record = corpus_record("classic-guide-createloadbalancer.json")
        writer = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"open({str(fifo)!r}, 'w').write({json.dumps(json.dumps(record))})",
            ]
        )
        try:
            result = elbtrail.read(fifo)
        finally:
            writer.wait(timeout=30)

        assert 1 == len(result.events)


class TestUnreadableFolders:
    def test_folder_that_cannot_be_listed_is_an_error(self):
        """Not silently skipped: an issue names the folder."""
        with tempfile.TemporaryDirectory(dir="/tmp") as folder:
            root = Path(folder) / "tree"
            _log(root / "a.json", "a")
            _log(root / "locked" / "b.json", "b")
            Path(folder).chmod(0o755)
            for path in (root, root / "a.json"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            (root / "locked").chmod(0o000)
            # Root may list anything: read as an unprivileged user.
            code = textwrap.dedent(
                f"""
                import os, json, elbtrail
                # Loaded before the user changes: the checkout may sit in a
                # folder only root can enter.
                import hashlib, elbtrail.classic, elbtrail.v2
                from elbtrail import _prefilter
                for module in (elbtrail.classic, elbtrail.v2):
                    for name in module.__all__:
                        getattr(module, name)
                _prefilter.can_split()
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                done = elbtrail.read({str(root)!r})
                stream = elbtrail.iter_events({str(root)!r})
                streamed = len(list(stream))
                print(json.dumps([
                    len(done.events), [i.code for i in done.issues],
                    [i.source for i in done.issues],
                    streamed, [i.code for i in stream.issues],
                ]))
                """
            )
            src = str(Path(elbtrail.__file__).parent.parent)
            done = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                env={"PYTHONPATH": src},
                check=False,
            )
            (root / "locked").chmod(0o755)

        assert 0 == done.returncode, done.stderr
        events, codes, sources, streamed, stream_codes = json.loads(done.stdout)
        assert 1 == events == streamed
        assert ["unreadable-folder"] == codes == stream_codes
        assert [str(root / "locked")] == sources


class TestLinks:
    def test_link_to_a_folder_outside_the_tree_is_not_followed(self, tmp_path, tree):
        """Reading never leaves the tree, and says where a link led."""
        _log(tmp_path / "outside" / "x.json", "x")
        (tree / "z-link").symlink_to(tmp_path / "outside")

        for names, codes in _both(tree):
            assert ["a", "b"] == names
            assert ["skipped-link"] == codes
        issue = elbtrail.read(tree).issues[0]
        assert "outside the tree" in issue.message
        assert str(tree / "z-link") == issue.source

    def test_root_given_as_a_link_is_read(self, tmp_path, tree):
        """The tree asked for may itself be reached through a link."""
        (tmp_path / "alias").symlink_to(tree)

        assert ["a", "b"] == _names(elbtrail.read(tmp_path / "alias"))

    def test_link_to_a_file_outside_the_tree_is_not_followed(self, tmp_path, tree):
        """Files and folders follow one policy."""
        _log(tmp_path / "x.json", "x")
        (tree / "x-link.json").symlink_to(tmp_path / "x.json")

        for names, codes in _both(tree):
            assert ["a", "b"] == names
            assert ["skipped-link"] == codes

    def test_link_back_to_an_ancestor_does_not_loop(self, tree):
        """A loop is reported once and walked never."""
        (tree / "sub" / "loop").symlink_to(tree)

        for names, codes in _both(tree):
            assert ["a", "b"] == names
            assert ["skipped-link"] == codes

    def test_links_inside_the_tree_are_read_once(self, tree):
        """A link to a file or folder in the tree does not read it twice."""
        (tree / "0-first.json").symlink_to(tree / "a.json")
        (tree / "sub2").symlink_to(tree / "sub")

        for names, codes in _both(tree):
            assert ["a", "b"] == names
            assert ["skipped-link", "skipped-link"] == codes

    def test_link_inside_the_tree_to_something_not_read_otherwise(self, tree):
        """A link into a digest folder is still not a way in."""
        _log(tree / "CloudTrail-Digest" / "d.json", "d")
        (tree / "digests").symlink_to(tree / "CloudTrail-Digest")

        for names, codes in _both(tree):
            assert ["a", "b"] == names
            assert ["skipped-link", "skipped-folder"] == codes

    def test_dangling_link_is_reported(self, tree):
        """A link to nothing is a notice, not an exception."""
        (tree / "gone.json").symlink_to(tree / "missing.json")

        for names, codes in _both(tree):
            assert ["a", "b"] == names
            assert ["skipped-link"] == codes
