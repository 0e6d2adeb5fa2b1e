"""Who runs a pre-deploy check: the CI identity from the environment, else the local user@host."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping

from guardrails.audit.record import Actor


def current_actor(environ: Mapping[str, str] | None = None) -> Actor:
    """GitHub Actions, GitLab CI, CodeBuild or Jenkins identity when their variables are set, else local."""
    env = os.environ if environ is None else environ
    for detect in (_github, _gitlab, _codebuild, _jenkins):
        actor = detect(env)
        if actor is not None:
            return actor
    return Actor(kind="local-user", name=f"{_local_user(env)}@{socket.gethostname()}")


def actor_from_principal(
    arn: str | None, principal_type: str | None = None, name: str | None = None
) -> Actor:
    """The AWS principal behind an API call (CloudTrail `userIdentity`, hook caller, scan role)."""
    label = name or (arn.rsplit("/", 1)[-1] if arn else None) or principal_type or "unknown"
    return Actor(kind="aws-principal", name=label, arn=arn)


def _github(env: Mapping[str, str]) -> Actor | None:
    if env.get("GITHUB_ACTIONS") != "true":
        return None
    repo = env.get("GITHUB_REPOSITORY")
    run_id = env.get("GITHUB_RUN_ID")
    server = env.get("GITHUB_SERVER_URL", "https://github.com")
    return Actor(
        kind="github-actions",
        name=env.get("GITHUB_ACTOR") or "github-actions",
        repository=repo,
        run=f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else run_id,
        ref=env.get("GITHUB_REF"),
        commit=env.get("GITHUB_SHA"),
    )


def _gitlab(env: Mapping[str, str]) -> Actor | None:
    if env.get("GITLAB_CI") != "true":
        return None
    return Actor(
        kind="gitlab-ci",
        name=env.get("GITLAB_USER_LOGIN") or env.get("CI_JOB_NAME") or "gitlab-ci",
        repository=env.get("CI_PROJECT_PATH") or env.get("CI_PROJECT_URL"),
        run=env.get("CI_JOB_URL") or env.get("CI_PIPELINE_URL"),
        ref=env.get("CI_COMMIT_REF_NAME"),
        commit=env.get("CI_COMMIT_SHA"),
    )


def _codebuild(env: Mapping[str, str]) -> Actor | None:
    build_arn = env.get("CODEBUILD_BUILD_ARN")
    if not build_arn:
        return None
    return Actor(
        kind="codebuild",
        name=env.get("CODEBUILD_INITIATOR") or "codebuild",
        arn=build_arn,
        repository=env.get("CODEBUILD_SOURCE_REPO_URL"),
        run=env.get("CODEBUILD_BUILD_ID"),
        ref=env.get("CODEBUILD_WEBHOOK_HEAD_REF") or env.get("CODEBUILD_SOURCE_VERSION"),
        commit=env.get("CODEBUILD_RESOLVED_SOURCE_VERSION"),
    )


def _jenkins(env: Mapping[str, str]) -> Actor | None:
    build_url = env.get("BUILD_URL")
    if not build_url:
        return None
    return Actor(
        kind="jenkins",
        name=env.get("BUILD_USER_ID") or env.get("BUILD_USER") or "jenkins",
        repository=env.get("GIT_URL"),
        run=build_url,
        ref=env.get("GIT_BRANCH"),
        commit=env.get("GIT_COMMIT"),
    )


def _local_user(env: Mapping[str, str]) -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (some containers)
        return env.get("USER") or f"uid-{os.getuid()}"
