import json
import subprocess
import sys

from django.conf import settings

from accordo.bench.measure import Result, failures, table

PAGES = [
    "floor",
    "staff_organisation_list",
    "staff_organisation_list_cold",
    "staff_organisation_search_common",
    "staff_organisation_search_rare",
    "staff_organisation_filter_tier_label",
    "client_home",
    "staff_organisation_detail",
    "staff_organisation_timeline",
    "staff_dossier_folder",
    "client_dossier_folder",
    "staff_delivery_queue",
    "staff_approvals_overview",
    "staff_approvals_overview_cold",
    "staff_approvals_waiting_overdue",
    "staff_approvals_mine_ib",
    "staff_approvals_outbox",
    "staff_board",
    "staff_board_cold",
    "staff_board_everybody_cold",
    "staff_board_organisation",
    "staff_board_column_cold",
    "staff_home",
    "staff_home_cold",
]


def test_it_seeds_its_own_database_and_measures_every_page(tmp_path):
    data_dir, output = tmp_path / "data", tmp_path / "results.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "bench",
            "--organisations=50",
            "--approvals=500",
            "--requests=5",
            "--no-gate",
            "--upload-mb=4",
            "--tasks=500",
            "--reminder-tasks=2000",
            f"--data-dir={data_dir}",
            f"--output={output}",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (data_dir / "bench.sqlite3").exists()
    results = json.loads(output.read_text(encoding="utf-8"))
    assert [r["name"] for r in results] == PAGES
    for row in results:
        assert {"name", "p50_ms", "p95_ms", "queries", "ratio_to_floor"} <= row.keys()
        assert 0 < row["p50_ms"] <= row["p95_ms"]
        assert row["queries"] >= 2  # at least the session and the user
    assert results[0]["ratio_to_floor"] == 1.0
    by_name = {r["name"]: r for r in results}
    # The warm list comes from the page cache; the cold one reads its rows every time.
    assert by_name["staff_organisation_list"]["queries"] < by_name["staff_organisation_list_cold"]["queries"]
    assert by_name["staff_approvals_overview"]["queries"] < by_name["staff_approvals_overview_cold"]["queries"]
    assert by_name["staff_approvals_overview"]["rows"] == 500
    assert "staff_organisation_list" in completed.stdout
    files = json.loads(output.with_name("results-files.json").read_text(encoding="utf-8"))
    assert files["upload"]["megabytes"] == 4 and files["upload"]["seconds"] > 0
    assert files["upload"]["rss_growth_mib"] < 32
    assert files["ocr"]["seconds_per_page"] > 0 and files["ocr"]["ratio_to_tesseract"] > 0
    assert 0 < files["certificate"]["seconds_p50"] < 10 and files["certificate"]["pages"] >= 1
    assert files["workflows"]["organisations"] == 50 and files["workflows"]["tasks"] == 250
    assert files["workflows"]["skipped_on_rerun"] == 50
    assert files["reminders"]["tasks_inserted"] == 2000 and files["reminders"]["second_sweep_sent"] == 0


def _result(name: str, p95: float, *, gated: bool = False) -> Result:
    return Result(name, p95, p95, 3, round(p95 / 2.0, 2), gated, None)


def test_it_fails_only_gated_pages_slower_than_one_and_a_half_floors():
    results = [
        _result("floor", 2.0),
        _result("client_home", 3.0, gated=True),
        _result("staff_organisation_list", 3.1, gated=True),
        _result("staff_organisation_detail", 9.0),
    ]

    assert [r.name for r in failures(results)] == ["staff_organisation_list"]
    assert "staff_organisation_list *" in table(results)


def test_the_search_bench_seeds_its_own_database_and_times_four_searches(tmp_path):
    data_dir, output = tmp_path / "search", tmp_path / "search.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "bench_search",
            "--documents=3000",
            "--organisations=20",
            "--requests=5",
            f"--data-dir={data_dir}",
            f"--output={output}",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["documents"] == 3000
    names = [row["name"] for row in result["searches"]]
    assert names == ["search_staff_rare", "search_staff_common", "search_client_rare", "search_client_common"]
    assert all(0 < row["p50_ms"] <= row["p95_ms"] for row in result["searches"])
    assert result["searches"][0]["rows"] == 3  # the rare word is in three documents
