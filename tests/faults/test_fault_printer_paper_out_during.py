"""Fault: the paper runs out in the middle of a job: the status after the job differs, so the job
fails (the resident is told to ask for a reprint); the twin shows where printing stopped."""
import pytest

from tests.support.printer import sample_receipt, tcp_printer

pytestmark = pytest.mark.faults


def test_job_fails_with_paper_out_and_the_twin_shows_the_stop(tcp_twin):
    tcp_twin.set_status("paper_out", after_lines=5)
    result = tcp_printer(tcp_twin).print_receipt(sample_receipt())
    assert not result.ok and result.outcome == "interrupted"
    assert result.before.code == "ready" and result.status.code == "paper_out"
    assert tcp_twin.wait_for_jobs(1)
    job = tcp_twin.last_job
    assert job.interrupted and job.status_at_end == "paper_out"
    assert "受理回执" in job.text and "咨询电话" not in job.text  # the top printed, the rest did not
    assert "printing stopped: paper_out" in job.text and job.qr_payloads == []


def test_the_next_job_is_refused_until_paper_is_loaded(tcp_twin):
    printer = tcp_printer(tcp_twin)
    tcp_twin.set_status("paper_out", after_lines=2)
    assert not printer.print_receipt(sample_receipt()).ok
    assert printer.print_receipt(sample_receipt()).outcome == "refused"
    tcp_twin.set_status("ready")
    assert printer.print_receipt(sample_receipt()).ok
