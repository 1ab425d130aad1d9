"""The GPU check's report as docs/benchmarks.md takes it (markdown), from its JSON."""

from __future__ import annotations

from typing import Any


def _failed(value: Any) -> bool:
    return isinstance(value, dict) and "error" in value


def markdown(report: dict[str, Any]) -> str:
    """The report as docs/benchmarks.md takes it; a failed stage shows its error."""
    lines = [f"device: {report['device']} ({report['gpu']}), torch {report['torch']}", ""]
    for key, value in report.items():
        if _failed(value):
            lines.append(f"- {key} failed: {value['error']}")
    if report.get("skipped"):
        lines.append(f"- skipped for time: {', '.join(report['skipped'])}")
    for key in ("fp32", "fp16"):
        p = report.get(f"parity_{key}")
        if p is not None and not _failed(p):
            lines.append(
                f"- parity {key}: static median {p['static']['median_pct']:.4f} % max "
                f"{p['static']['max_pct']:.3f} %; tracking median "
                f"{p['tracking']['median_pct']:.3f} % p95 {p['tracking']['p95_pct']:.3f} % "
                f"({p['tracking']['frames_disagreeing']} frames disagree)"
            )
        rows = report.get(f"throughput_{key}")
        if rows is None or _failed(rows):
            continue
        lines += [
            "",
            f"| {key} streams | poses/s | ms/landmark batch | ms/detector batch | GPU MiB |",
            "|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            mib = "-" if row["gpu_peak_mib"] is None else f"{row['gpu_peak_mib']:.0f}"
            lines.append(
                f"| {row['streams']} | {row['poses_per_s']:.1f} "
                f"| {row['ms_per_landmark_batch']:.2f} "
                f"| {row['ms_per_detector_batch']:.2f} | {mib} |"
            )
        lines.append("")
    d = report.get("decode")
    if d is not None and not _failed(d):
        lines.append(f"- JPEG 720p decode: OpenCV {d['cpu_opencv_per_s']:.0f}/s on one core")
        if "nvjpeg_per_s" in d:
            lines.append(f"- nvJPEG: {d['nvjpeg_per_s']:.0f}/s in batches of {d['nvjpeg_batch']}")
    dd = report.get("device_decode")
    if dd is not None and not _failed(dd):
        lines.append(
            f"- nvJPEG into the pipeline against OpenCV's decode: persons found "
            f"{dd['found_gpu_cpu']} of {dd['frames']}, "
            f"landmarks differ by {dd['max_px']} px at most"
        )
    for key in ("served", "served_cpu_decode"):
        rows = report.get(key)
        if rows is None or _failed(rows):
            continue
        from posestudio.bench.inprocess import LoadRow
        from posestudio.bench.inprocess import markdown as load_table

        fields = set(LoadRow.__dataclass_fields__)
        title = "720p streams at 10 FPS" + (", JPEGs decoded on the CPU" if "cpu" in key else "")
        lines += ["", f"{key}: {title}", ""]
        lines.append(
            load_table([LoadRow(**{k: v for k, v in r.items() if k in fields}) for r in rows])
        )
    for key in ("graphs", "compiled"):
        rows = report.get(key)
        if rows is None or _failed(rows):
            continue
        lines += ["", f"{key}: the fp16 landmark net, ms per batch", ""]
        lines.append("| batch | eager | CUDA graph | compiled | compile s | graph max diff |")
        lines.append("|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            lines.append(
                f"| {r['batch']} | {r['eager_ms']} | {r['graph_ms']} | "
                f"{r.get('compiled_ms', '-')} | {r.get('compile_s', '-')} | "
                f"{r['graph_max_diff']:.2g} |"
            )
    return "\n".join(lines) + "\n"
