"""`langso` speaks Vietnamese first, English when asked, and keeps what scripts parse stable."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from server.cli.commands import main
from server.cli.demo import DEMO_USERS, PASSWORD
from server.cli.text import cli_language
from tests.paths import REPO_ROOT

_LOCALE = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGSO_LANGUAGE")
LANGSO = Path(sys.executable).parent / "langso"


def _invoke(*args: str, **env: str) -> Result:
    """`langso ARGS` in-process, with only the given language variables set."""
    environ: dict[str, str | None] = dict.fromkeys(_LOCALE)
    environ.update(env)
    return CliRunner().invoke(main, list(args), env=environ, prog_name="langso")


@pytest.mark.parametrize(
    ("env", "language"),
    [
        ({}, "vi"),
        ({"LANG": "C.UTF-8"}, "vi"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
        ({"LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANGSO_LANGUAGE": "en", "LANG": "vi_VN.UTF-8"}, "en"),
        ({"LANGSO_LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, "en"),
    ],
)
def test_the_language_comes_from_the_setting_then_the_locale(
    env: dict[str, str], language: str
) -> None:
    assert cli_language(env) == language


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ((), {}, "Thêm một thôn vào một xã và in ra mã thôn."),
        (("--language", "en"), {}, "Create a village under a commune and print its code."),
        ((), {"LANGSO_LANGUAGE": "en"}, "Create a village under a commune and print its code."),
        ((), {"LANG": "en_US.UTF-8"}, "Create a village under a commune and print its code."),
        (("--language", "vi"), {"LANGSO_LANGUAGE": "en"}, "Mã chính thức của xã.  [bắt buộc]"),
    ],
)
def test_help_is_in_the_chosen_language(
    args: tuple[str, ...], env: dict[str, str], expected: str
) -> None:
    result = _invoke(*args, "village", "add", "--help", **env)
    assert result.exit_code == 0
    assert expected in result.output


def test_the_group_help_lists_its_commands_translated() -> None:
    result = _invoke("--help")
    assert result.exit_code == 0
    assert "Cách dùng: langso" in result.output
    assert "Thôn, bản, tổ dân phố." in result.output  # `village`, in the commands list
    assert "Hiện hướng dẫn này rồi thoát." in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("village", "add", "--name", "Thôn A"), "Lỗi: Còn thiếu tùy chọn '--commune'."),
        (
            ("user", "add", "--phone", "1", "--name", "A", "--role", "boss", "--area", "x"),
            "Lỗi: Tùy chọn '--role' chỉ nhận một trong các giá trị: member, trainer",
        ),
        (("village", "ad"), "Lỗi: Không có lệnh 'ad'."),
        (("serve", "--workers", "2"), "Lỗi: SQLite chỉ cho phép một tiến trình"),
    ],
)
def test_usage_mistakes_are_explained_in_vietnamese(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    result = _invoke(*args, LANGSO_DATA_DIR=str(tmp_path))
    assert result.exit_code == 2
    assert expected in result.output
    assert "Xem hướng dẫn: 'langso" in result.output


def test_readme_shows_what_langso_demo_prints() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "Tài khoản dùng thử (số điện thoại / mật khẩu):" in readme
    for phone, name, role, _areas in DEMO_USERS:
        assert f"  {name} [{role}]: {phone} / {PASSWORD}\n" in readme


# The commands below open the database. They run as `langso` processes (as operators and
# bench/_langso.py run them), so their Tortoise context and event loop stay out of this test
# process, whose session app holds its own.


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("langso-cli")
    _langso(folder, "db", "upgrade")
    _langso(folder, "areas", "import")
    return folder


def _langso(
    data_dir: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key not in _LOCALE}
    environ = {key: value for key, value in environ.items() if not key.startswith("LANGSO_")}
    environ.update(
        LANGSO_DATA_DIR=str(data_dir),
        LANGSO_DATABASE_URL=f"sqlite://{data_dir / 'langso.sqlite3'}",
        **env,
    )
    return subprocess.run(
        [str(LANGSO), *args],
        input=stdin,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _count(data_dir: Path, table: str) -> int:
    with closing(sqlite3.connect(data_dir / "langso.sqlite3")) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.mark.parametrize(
    ("env", "said"),
    [({}, "Đã thêm Thôn Đông 1. Mã thôn:"), ({"LANG": "en_US.UTF-8"}, "Its code:")],
)
def test_village_add_ends_with_the_code(data_dir: Path, env: dict[str, str], said: str) -> None:
    name = "Thôn Đông 1" if not env else "Thôn Đông 2"
    done = _langso(data_dir, "village", "add", "--commune", "16591", "--name", name, **env)
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert said in last
    code = last.split()[-1]  # what bench/_langso.py reads
    assert code.startswith("16591-") and code[len("16591-") :].isdigit()


def test_an_unknown_commune_is_refused_in_vietnamese(data_dir: Path) -> None:
    villages = _count(data_dir, "area")
    done = _langso(data_dir, "village", "add", "--commune", "99999", "--name", "Thôn Mới")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "Lỗi: Xã này không có trong hệ thống. Hãy nhập danh sách đơn vị hành chính trước."
    )
    assert _count(data_dir, "area") == villages


def test_a_bad_phone_is_refused_in_the_chosen_language(data_dir: Path) -> None:
    args = ("user", "add", "--phone", "123", "--name", "An", "--role", "admin", "--area", "38")
    said_vi = _langso(data_dir, *args, "--password-stdin", stdin="mat-khau-dai\n")
    said_en = _langso(data_dir, "--language", "en", *args, "--password-stdin", stdin="x" * 9)
    assert (said_vi.returncode, said_en.returncode) == (1, 1)
    assert said_vi.stderr.strip() == (
        "Lỗi: --phone: Nhập số điện thoại di động Việt Nam, ví dụ 0912 345 678."
    )
    assert said_en.stderr.strip() == (
        "Error: --phone: Enter a Vietnamese mobile number, e.g. 0912 345 678."
    )
    assert _count(data_dir, "app_user") == 0


def test_areas_import_stores_every_unit_it_counts(data_dir: Path) -> None:
    done = _langso(data_dir, "areas", "import")
    with closing(sqlite3.connect(data_dir / "langso.sqlite3")) as conn:
        kinds = dict(conn.execute("SELECT kind, count(*) FROM area GROUP BY kind").fetchall())

    assert done.stdout.strip() == "Đã nhập 34 tỉnh, thành phố và 3.321 xã, phường, đặc khu."
    assert (kinds["province"], kinds["commune"]) == (34, 3321)


def _areas_of(data_dir: Path, phone: str) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(data_dir / "langso.sqlite3")) as conn:
        return conn.execute(
            "SELECT a.code, a.kind, a.name FROM user_area ua JOIN area a ON a.code = ua.area_id "
            "JOIN app_user u ON u.id = ua.user_id WHERE u.phone = ?",
            [phone],
        ).fetchall()


def test_user_add_with_a_commune_code_scopes_the_account_to_that_commune(data_dir: Path) -> None:
    args = ("user", "add", "--phone", "0912000004", "--name", "Lê Hoa", "--role", "coordinator")
    done = _langso(data_dir, *args, "--area", "00004", "--password-stdin", stdin="mat-khau-dai\n")

    assert done.returncode == 0, done.stderr
    assert _areas_of(data_dir, "0912000004") == [("00004", "commune", "Phường Ba Đình")]


def test_user_add_refuses_a_code_without_its_zeros_and_names_what_it_may_mean(
    data_dir: Path,
) -> None:
    args = ("user", "add", "--phone", "0912000044", "--name", "Lê Hoa", "--role", "coordinator")
    done = _langso(data_dir, *args, "--area", "4", "--password-stdin", stdin="mat-khau-dai\n")

    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Lỗi: --area: Không có địa bàn nào mang mã 4. Mã chính thức giữ nguyên các số 0 ở đầu; "
        "có phải bạn muốn nhập: 00004 (Phường Ba Đình), 04 (Cao Bằng)?"
    )
    assert _areas_of(data_dir, "0912000044") == []


def test_content_import_and_export_say_what_they_did_in_vietnamese(
    data_dir: Path, tmp_path: Path
) -> None:
    content = tmp_path / "content"  # export writes into it: never the repository's own
    shutil.copytree(REPO_ROOT / "content", content)
    imported = _langso(data_dir, "content", "import", LANGSO_CONTENT_DIR=str(content))
    again = _langso(data_dir, "content", "import", LANGSO_CONTENT_DIR=str(content))
    assert imported.returncode == 0, imported.stderr
    lines = again.stdout.strip().splitlines()
    assert lines[0].startswith("Bộ chỉ số phiên bản ")
    assert lines[2].startswith("Bài học: ") and "(0 phiên bản mới, đã đăng tất cả)" in lines[2]
    exported = _langso(
        data_dir, "--language", "en", "content", "export", LANGSO_CONTENT_DIR=str(content)
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("Lessons: 0 written, ")


def test_privacy_sweep_says_what_it_did_in_counts(data_dir: Path) -> None:
    said_vi = _langso(data_dir, "privacy", "sweep")
    said_en = _langso(data_dir, "--language", "en", "privacy", "sweep")

    assert said_vi.returncode == 0, said_vi.stderr
    assert said_vi.stdout.splitlines() == [
        "Đã xoá thông tin của 0 hộ quá thời hạn lưu giữ.",
        "Đã xoá 0 mục nhật ký truy cập quá thời hạn lưu.",
    ]
    assert said_en.stdout.splitlines() == [
        "Erased 0 households past their retention period.",
        "Access log entries past their period, deleted: 0.",
    ]


def test_households_import_checks_then_imports_a_csv_once(data_dir: Path, tmp_path: Path) -> None:
    args = ("--phone", "0987000111", "--name", "Quản trị", "--role", "admin", "--area", "38")
    _langso(data_dir, "user", "add", *args, "--password-stdin", stdin="mat-khau-dai\n")
    added = _langso(data_dir, "village", "add", "--commune", "16591", "--name", "Thôn Nhập")
    code = added.stdout.strip().split()[-1]
    rows = "Họ tên chủ hộ,Số điện thoại,Người đồng ý,Ngày đồng ý,Đồng ý\n"
    rows += "Lò Văn Hùng,0912 345 001,Lò Văn Hùng,01/02/2025,Có\n"
    rows += "Hà Thị Lan,12,Hà Thị Lan,01/02/2025,Có\n"
    file = tmp_path / "ho.csv"
    file.write_text(rows, encoding="utf-8-sig")

    checked = _langso(data_dir, "households", "import", str(file), "--village", code, "--dry-run")
    done = _langso(data_dir, "households", "import", str(file), "--village", code)
    again = _langso(data_dir, "households", "import", str(file), "--village", code)

    assert checked.returncode == 0, checked.stderr
    assert "Dòng 3, cột “Số điện thoại”" in checked.stdout
    assert "Sẽ thêm mới 1" in checked.stdout
    assert "Đã thêm mới 1" in done.stdout
    assert "Đã thêm mới 0" in again.stdout and "1 hộ đã có" in again.stdout
    assert _count(data_dir, "household") == 1
