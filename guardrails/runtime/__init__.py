"""The runtime enforcement point: EventBridge events -> decisions, remediation, audit, alerts.

from guardrails.config import RuntimeConfig
from guardrails.runtime.clients import AwsClients
from guardrails.runtime.processor import process_event

outcome = process_event(event, decider=Decider(), trail=trail, clients=AwsClients(), config=RuntimeConfig())

The settings are the `runtime:` section of the config file (guardrails.config.RuntimeConfig); names are
imported from the module that defines them.
"""
