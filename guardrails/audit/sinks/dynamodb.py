"""`dynamodb://table`: one item per appended segment, keyed (stream, first seq), written conditionally.

Table: partition key `stream` (S), sort key `seq` (N). Item: `stream`, `seq` (first record), `last_seq`,
`records` (the segment's JSON lines). Every item is written with PutItem and
`attribute_not_exists(seq)`, so nothing is ever overwritten; a conflict is accepted only when the item
already holds exactly these records (a retry of our own write whose response was lost). A single-record
append (a Lambda decision) is one item; a check run's batch is a few items of up to 350 KB each
(DynamoDB's item limit is 400 KB), which keeps writes and verification scans cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardrails.audit.chain import LinkedRecord
from guardrails.audit.exceptions import AuditReadError, AuditWriteError
from guardrails.audit.sinks.aws import aws_client, aws_errors, error_code, error_message
from guardrails.audit.sinks.base import AuditSink, entries_from_segment, segment_body
from guardrails.audit.verify import StoredEntry

KEY_SCHEMA = [{"AttributeName": "stream", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}]
ATTRIBUTE_DEFINITIONS = [
    {"AttributeName": "stream", "AttributeType": "S"},
    {"AttributeName": "seq", "AttributeType": "N"},
]


def create_table(client: Any, table: str) -> None:
    """Create an on-demand audit table (tests, benchmarks; deploy/ declares the real one)."""
    client.create_table(
        TableName=table,
        KeySchema=KEY_SCHEMA,
        AttributeDefinitions=ATTRIBUTE_DEFINITIONS,
        BillingMode="PAY_PER_REQUEST",
    )


class DynamoDBSink(AuditSink):
    max_segment_bytes = 350_000

    def __init__(self, table: str, *, client: Any = None, stream: str | None = None) -> None:
        super().__init__(f"dynamodb://{table}", stream=stream)
        self.table = table
        self.client = client if client is not None else aws_client("dynamodb", self.url)

    def _write_segment(self, stream: str, segment: list[LinkedRecord]) -> None:
        first, last = segment[0].seq, segment[-1].seq
        body = segment_body(segment).decode("utf-8")
        item = {
            "stream": {"S": stream},
            "seq": {"N": str(first)},
            "last_seq": {"N": str(last)},
            "records": {"S": body},
        }
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(#seq)",
                ExpressionAttributeNames={"#seq": "seq"},
            )
        except aws_errors() as exc:
            code = error_code(exc)
            if code == "ConditionalCheckFailedException" and self._holds(stream, first, body):
                return
            what = f"cannot store stream {stream} seq {first}..{last}: {error_message(exc)}"
            raise AuditWriteError(self.url, what, code) from exc

    def _holds(self, stream: str, seq: int, body: str) -> bool:
        """True when the item at (stream, seq) already holds exactly `body`."""
        try:
            found = self.client.get_item(
                TableName=self.table,
                Key={"stream": {"S": stream}, "seq": {"N": str(seq)}},
                ConsistentRead=True,
            )
        except aws_errors():
            return False
        return bool(found.get("Item", {}).get("records", {}).get("S") == body)

    def read(self) -> Iterator[StoredEntry]:
        items: list[tuple[str, int, str | None]] = []
        kwargs: dict[str, Any] = {"TableName": self.table, "ConsistentRead": True}
        try:
            while True:
                page = self.client.scan(**kwargs)
                for item in page.get("Items", []):
                    items.append(
                        (item["stream"]["S"], int(item["seq"]["N"]), item.get("records", {}).get("S"))
                    )
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except aws_errors() as exc:
            raise AuditReadError(self.url, f"cannot scan: {error_message(exc)}", error_code(exc)) from exc
        items.sort(key=lambda i: (i[0], i[1]))
        for stream, seq, body in items:
            location = f"{self.url}/{stream}/{seq}"
            if body is None:
                yield StoredEntry(location, None, (stream, seq), "item has no records attribute")
                continue
            yield from entries_from_segment(body.encode("utf-8"), location, (stream, seq))
