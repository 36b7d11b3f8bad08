"""Bronze: deterministic synthetic e-commerce data for 2024, written as Iceberg tables.

Plain Dagster assets. The Iceberg catalog arrives as the ``iceberg`` resource (floe provides it
from floe.yaml's ``storage.catalog``). ``FLOE_DEMO_SCALE`` scales every table (default 1:
1,000 customers, 100 products, 5,000 orders, about 10,000 order items).

Orders and order lines are facts: each belongs to one day of 2024 (``DAY_COLUMNS``), and
floe.yaml gives them daily partitions; a run for a day (or a range of days) writes exactly that
day's rows and replaces only them (``floe_dagster.overwrite_rows``), so runs of different days
can commit to one table at the same time. Customers and products are dimensions: unpartitioned,
every run that includes them writes them whole, so a day's orders always find their customer
and their products. The data is coherent too: an order comes from a customer who had signed up
by then and sells products listed by then (``LAUNCH``: the first customers and products exist
from 2024-01-01).

The data is untidy on purpose, so the silver models have work to do: re-sent customer rows
with later ``updated_at``, e-mails in mixed case with spaces, order status updates arriving as
new rows, categories and statuses in mixed case.

pyarrow, PyIceberg and floe's lake load in the step that writes a table, not when the code
location loads: every run worker and step process loads it, and most write no bronze table.
"""

import os
import random
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from dagster import (
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.expressions import BooleanExpression

NAMESPACE = "bronze"
SEED = 20240101
CATEGORIES = ["electronics", "books", "home", "garden", "toys", "sports", "beauty", "grocery"]
STATUSES = ["placed", "shipped", "completed", "returned", "cancelled"]
COUNTRIES = ["us", "de", "fr", "gb", "nl", "es", "it", "se"]
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson"]
EPOCH = datetime(2024, 1, 1)
DAYS = 366  # 2024
DAY_COLUMNS = {"orders": "ordered_at", "order_items": "ordered_at"}  # the partitioned facts
DIMENSIONS = ("customers", "products")  # written whole by every run
LAUNCH = {"customers": 20, "products": 5}  # 1 in N of each exists from the first day


def scale() -> float:
    return float(os.environ.get("FLOE_DEMO_SCALE", "1"))


def counts() -> dict[str, int]:
    factor = scale()
    return {
        "customers": max(1, round(1000 * factor)),
        "products": max(1, round(100 * factor)),
        "orders": max(1, round(5000 * factor)),
    }


Window = tuple[datetime, datetime]


def partition_window(context: AssetExecutionContext) -> Window | None:
    """The run's days as naive UTC ``[start, end)``, or None for an unpartitioned run. A range
    run (a backfill batch) covers every day in it, so read the window, never one key."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    window = context.partition_time_window
    return (
        window.start.astimezone(UTC).replace(tzinfo=None),
        window.end.astimezone(UTC).replace(tzinfo=None),
    )


def rows_in(table: "pa.Table", column: str, window: Window | None) -> "pa.Table":
    """The rows of ``table`` whose ``column`` falls in ``window`` (all rows for None)."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    if window is None:
        return table
    values = table.column(column)
    start, end = window
    if pa.types.is_date(values.type):
        bounds = (pa.scalar(start.date(), pa.date32()), pa.scalar(end.date(), pa.date32()))
    else:
        bounds = (pa.scalar(start, values.type), pa.scalar(end, values.type))
    mask = pc.and_(pc.greater_equal(values, bounds[0]), pc.less(values, bounds[1]))
    return table.filter(mask)


def _where(column: str, window: Window | None, is_date: bool) -> "BooleanExpression":
    from pyiceberg.expressions import (  # noqa: PLC0415
        AlwaysTrue,
        And,
        GreaterThanOrEqual,
        LessThan,
    )

    if window is None:
        return AlwaysTrue()
    start, end = (w.date().isoformat() if is_date else w.isoformat() for w in window)
    return And(GreaterThanOrEqual(column, start), LessThan(column, end))


def rows_per_day(name: str) -> Counter[date]:
    """How many rows the generator makes for each day of table ``name`` (tests check runs
    against it)."""
    values = TABLES[name]().column(DAY_COLUMNS[name]).to_pylist()
    return Counter(
        v if isinstance(v, date) and not isinstance(v, datetime) else v.date() for v in values
    )


def materialize(context: AssetExecutionContext, name: str) -> MaterializeResult:
    """Write the run's days of fact table ``name`` (every row of them, replacing only them), or
    all of dimension table ``name``."""
    import pyarrow as pa  # noqa: PLC0415

    from floe_dagster import overwrite_rows  # noqa: PLC0415  (the lake: PyIceberg, SQLAlchemy)

    full = TABLES[name]()
    column = DAY_COLUMNS.get(name)
    window = partition_window(context) if column else None  # a dimension: every row
    rows = rows_in(full, column, window) if column else full
    is_date = column is not None and pa.types.is_date(full.schema.field(column).type)
    overwrite_rows(
        context.resources.iceberg.namespace(NAMESPACE),
        f"{NAMESPACE}.{name}",
        rows,
        where=_where(column or "", window, is_date),
    )
    if window is not None:
        context.log.info(f"bronze.{name}: {rows.num_rows} rows for {window[0]} .. {window[1]}")
    return _result(rows, name)


def _result(table: "pa.Table", name: str) -> MaterializeResult:
    """Standard Dagster metadata: row count, the Iceberg table, and its columns."""
    columns = [TableColumn(field.name, str(field.type)) for field in table.schema]
    return MaterializeResult(
        metadata={
            "dagster/row_count": table.num_rows,
            "dagster/column_schema": TableSchema(columns=columns),
            "iceberg_table": MetadataValue.text(f"{NAMESPACE}.{name}"),
        }
    )


def active_customers() -> list[str]:
    """The initial keys of a dynamic ``customers`` partition: the first ten customer ids."""
    return [str(customer_id) for customer_id in range(1, min(10, counts()["customers"]) + 1)]


def customers_table() -> "pa.Table":
    import pyarrow as pa  # noqa: PLC0415

    rng = random.Random(SEED)
    n = counts()["customers"]
    rows = []
    for customer_id in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{customer_id}@example.com"
        signup = EPOCH.date() + timedelta(days=rng.randrange(DAYS))
        if customer_id % LAUNCH["customers"] == 1:
            signup = EPOCH.date()
        rows.append((customer_id, first, last, email, rng.choice(COUNTRIES), signup, EPOCH))
        if rng.random() < 0.02:  # re-sent with an untidy e-mail and a later update
            resent = f"  {email.upper()} "
            rows.append(
                (
                    customer_id,
                    first,
                    last,
                    resent,
                    rng.choice(COUNTRIES),
                    signup,
                    EPOCH + timedelta(days=30),
                )
            )
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            "customer_id": pa.array(columns[0], pa.int64()),
            "first_name": pa.array(columns[1], pa.string()),
            "last_name": pa.array(columns[2], pa.string()),
            "email": pa.array(columns[3], pa.string()),
            "country": pa.array(columns[4], pa.string()),
            "signup_date": pa.array(columns[5], pa.date32()),
            "updated_at": pa.array(columns[6], pa.timestamp("us")),
        }
    )


def products_table() -> "pa.Table":
    import pyarrow as pa  # noqa: PLC0415

    rng = random.Random(SEED + 1)
    n = counts()["products"]
    categories = [rng.choice(CATEGORIES) for _ in range(n)]
    return pa.table(
        {
            "product_id": pa.array(range(1, n + 1), pa.int64()),
            "name": pa.array([f"Product {i}" for i in range(1, n + 1)], pa.string()),
            "category": pa.array([c.title() if rng.random() < 0.3 else c for c in categories]),
            "price": pa.array([round(rng.uniform(2, 200), 2) for _ in range(n)], pa.float64()),
            "added_on": pa.array(
                [
                    EPOCH.date() + timedelta(days=0 if i % LAUNCH["products"] == 1 else days)
                    for i, days in enumerate((rng.randrange(DAYS) for _ in range(n)), start=1)
                ],
                pa.date32(),
            ),
        }
    )


def existing(table: "pa.Table", key: str, since: str) -> Callable[[int, date], int]:
    """Maps an id drawn from ``table``'s ids to one that existed on a day: itself if its
    ``since`` day is not later, else one of those that existed then (every day has some)."""
    starts = dict(zip(table.column(key).to_pylist(), table.column(since).to_pylist(), strict=True))
    order = sorted(starts, key=lambda i: (starts[i], i))
    firsts = [starts[i] for i in order]

    def pick(drawn: int, day: date) -> int:
        if starts[drawn] <= day:
            return drawn
        there = order[: bisect_right(firsts, day)]
        return there[drawn % len(there)]

    return pick


def orders_table() -> "pa.Table":
    import pyarrow as pa  # noqa: PLC0415

    rng = random.Random(SEED + 2)
    n, customers = counts()["orders"], counts()["customers"]
    signed_up = existing(customers_table(), "customer_id", "signup_date")
    rows = []
    for order_id in range(1, n + 1):
        ordered = EPOCH + timedelta(minutes=rng.randrange(60 * 24 * DAYS))
        customer = signed_up(rng.randrange(1, customers + 1), ordered.date())
        status = rng.choice(STATUSES)
        if status != "placed":  # the status update arrives as a second row
            rows.append((order_id, customer, "placed", ordered, ordered))
            shown = status.upper() if rng.random() < 0.2 else status
            rows.append((order_id, customer, shown, ordered, ordered + timedelta(days=2)))
        else:
            rows.append((order_id, customer, status, ordered, ordered))
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            "order_id": pa.array(columns[0], pa.int64()),
            "customer_id": pa.array(columns[1], pa.int64()),
            "status": pa.array(columns[2], pa.string()),
            "ordered_at": pa.array(columns[3], pa.timestamp("us")),
            "updated_at": pa.array(columns[4], pa.timestamp("us")),
        }
    )


def order_items_table() -> "pa.Table":
    import pyarrow as pa  # noqa: PLC0415

    rng = random.Random(SEED + 3)
    n, products = counts()["orders"], counts()["products"]
    catalogue = products_table()
    prices = catalogue.column("price").to_pylist()
    listed = existing(catalogue, "product_id", "added_on")
    orders = orders_table()
    ordered_at = dict(
        zip(
            orders.column("order_id").to_pylist(),
            orders.column("ordered_at").to_pylist(),
            strict=True,
        )
    )
    rows = []
    for order_id in range(1, n + 1):
        for _ in range(rng.choice((1, 2, 3))):
            product = listed(rng.randrange(1, products + 1), ordered_at[order_id].date())
            rows.append(
                (
                    len(rows) + 1,
                    order_id,
                    product,
                    rng.randrange(1, 5),
                    prices[product - 1],
                    ordered_at[order_id],
                )
            )
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            "order_item_id": pa.array(columns[0], pa.int64()),
            "order_id": pa.array(columns[1], pa.int64()),
            "product_id": pa.array(columns[2], pa.int64()),
            "quantity": pa.array(columns[3], pa.int64()),
            "unit_price": pa.array(columns[4], pa.float64()),
            "ordered_at": pa.array(columns[5], pa.timestamp("us")),
        }
    )


TABLES: dict[str, Callable[[], "pa.Table"]] = {
    "customers": customers_table,
    "products": products_table,
    "orders": orders_table,
    "order_items": order_items_table,
}


@asset(
    group_name="bronze",
    kinds={"python", "iceberg"},
    required_resource_keys={"iceberg"},
    owners=["team:data-engineering"],
)
def bronze_customers(context: AssetExecutionContext) -> MaterializeResult:
    """Customers, including re-sent rows with untidy e-mails."""
    return materialize(context, "customers")


@asset(
    group_name="bronze",
    kinds={"python", "iceberg"},
    required_resource_keys={"iceberg"},
    owners=["team:data-engineering"],
)
def bronze_products(context: AssetExecutionContext) -> MaterializeResult:
    """The product catalogue."""
    return materialize(context, "products")


@asset(
    group_name="bronze",
    kinds={"python", "iceberg"},
    required_resource_keys={"iceberg"},
    owners=["team:data-engineering"],
)
def bronze_orders(context: AssetExecutionContext) -> MaterializeResult:
    """Orders; a status change arrives as a new row."""
    return materialize(context, "orders")


@asset(
    group_name="bronze",
    kinds={"python", "iceberg"},
    required_resource_keys={"iceberg"},
    owners=["team:data-engineering"],
)
def bronze_order_items(context: AssetExecutionContext) -> MaterializeResult:
    """Order lines (1 to 3 per order)."""
    return materialize(context, "order_items")
