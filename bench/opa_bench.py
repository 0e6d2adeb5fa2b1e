"""`guardrails check` with the opa-server engine vs regorus: wall clock and round trips.

Checks one generated template (default 1,000 resources, bench/generate_templates.py) in process, the way
`guardrails check` does (load the inputs, build the Decider, decide), once with the embedded regorus
engine and once with the opa-server engine through opa-python-client, and reports the wall clock (best
and median of --repeats), the evaluation round trips and all HTTP requests the server saw, and whether
both engines reported the same findings.

The OPA server is, by default, the loopback OPA REST server of the test suite (tests/opa_rest_server.py:
the OPA Go engine behind OPA's REST API on 127.0.0.1, started and stopped here, bundle loaded from
`policy bundle build`'s archive). `--opa-url URL` measures an OPA you run instead (the bundle is pushed
there first with `policy push`).

Usage: python bench/opa_bench.py [--size 1000] [--repeats 5] [--batch-size 500] [--opa-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))


def _findings(run: Any) -> list[Any]:
    return [
        (
            d.resource.type,
            d.resource.name,
            d.verdict,
            [(v.control, v.path, v.message, v.unknown) for v in d.violations],
        )
        for d in run.decisions
    ]


def _time_check(template: Path, config: Any) -> tuple[float, Any, Any]:
    from guardrails.checking import run_check
    from guardrails.decider import Decider

    start = time.perf_counter()
    decider = Decider(config)
    run = run_check([template], config, decider=decider)
    return time.perf_counter() - start, run, decider.evaluator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--opa-url", help="an OPA server to measure instead of the loopback one")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "out" / "opa_results.json")
    args = parser.parse_args(argv)

    from generate_templates import write_template

    from guardrails.config import GuardrailsConfig, validated
    from guardrails.engine import PolicyBundle

    bundle = PolicyBundle.load()
    server = None
    url = args.opa_url
    if url is None:
        from opa_rest_server import OpaRestServer

        from guardrails.engine.opa_bundle import build_bundle_archive

        server = OpaRestServer(bundle=build_bundle_archive(bundle)).start()
        url = server.url
    else:
        from guardrails.engine.opa_bundle import push_bundle
        from guardrails.engine.opa_server import open_client
        from guardrails.engine.opa_settings import OpaServerSettings

        push_bundle(open_client(OpaServerSettings(url=url)), bundle)

    results: dict[str, Any] = {"size": args.size, "repeats": args.repeats, "batch_size": args.batch_size}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            template, _ = write_template(args.size, Path(tmp), seed=args.seed)
            configs = {
                "regorus": GuardrailsConfig(),
                "opa-server": validated(
                    GuardrailsConfig,
                    {"engine": {"backend": "opa-server", "opa": {"url": url, "batch_size": args.batch_size}}},
                ),
            }
            findings: dict[str, Any] = {}
            for name, config in configs.items():
                _time_check(template, config)  # warm-up: imports, first compile, connection
                walls, trips, requests = [], 0, 0
                for _ in range(args.repeats):
                    before = len(server.requests) if server else 0
                    wall, run, evaluator = _time_check(template, config)
                    walls.append(wall)
                    trips = getattr(evaluator, "round_trips", 0)
                    requests = (len(server.requests) - before) if server else trips
                    findings[name] = _findings(run)
                results[name] = {
                    "documents": len(run.decisions),
                    "wall_best_s": round(min(walls), 3),
                    "wall_median_s": round(statistics.median(walls), 3),
                    "evaluation_round_trips": trips,
                    "http_requests": requests,
                }
            results["same_findings"] = findings["regorus"] == findings["opa-server"]
    finally:
        if server is not None:
            server.stop()

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"check of {args.size} resources, best / median of {args.repeats} (wall clock, in process)")
    for name in ("regorus", "opa-server"):
        r = results[name]
        print(
            f"  {name:<10} {r['wall_best_s']:>7.3f} s / {r['wall_median_s']:.3f} s   "
            f"{r['documents']} documents, {r['evaluation_round_trips']} evaluation round trips, "
            f"{r['http_requests']} HTTP requests"
        )
    print(f"  same findings: {results['same_findings']}   ({args.output})")
    return 0 if results["same_findings"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
