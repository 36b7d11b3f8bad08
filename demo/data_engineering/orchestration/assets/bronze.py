"""Bronze: deterministic synthetic e-commerce data written as Iceberg tables.

Plain Dagster assets. The Iceberg catalog arrives as the ``iceberg`` resource (floe provides it
from floe.yaml's ``storage.catalog``). ``FLOE_DEMO_SCALE`` scales every table (default 1:
1,000 customers, 100 products, 5,000 orders, about 10,000 order items).

The data is untidy on purpose, so the silver models have work to do: re-sent customer rows
with later ``updated_at``, e-mails in mixed case with spaces, order status updates arriving as
new rows, categories and statuses in mixed case.
"""

import os
import random
from datetime import date, datetime, timedelta

import pyarrow as pa
from dagster import (
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
)
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError

NAMESPACE = "bronze"
SEED = 20240101
CATEGORIES = ["electronics", "books", "home", "garden", "toys", "sports", "beauty", "grocery"]
STATUSES = ["placed", "shipped", "completed", "returned", "cancelled"]
COUNTRIES = ["us", "de", "fr", "gb", "nl", "es", "it", "se"]
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson"]
EPOCH = datetime(2024, 1, 1)


def scale() -> float:
    return float(os.environ.get("FLOE_DEMO_SCALE", "1"))


def counts() -> dict[str, int]:
    factor = scale()
    return {
        "customers": max(1, round(1000 * factor)),
        "products": max(1, round(100 * factor)),
        "orders": max(1, round(5000 * factor)),
    }


def _write(catalog: Catalog, name: str, data: pa.Table) -> None:
    """Replace the table's contents (the assets are idempotent: same seed, same rows)."""
    identifier = f"{NAMESPACE}.{name}"
    try:
        table = catalog.load_table(identifier)
    except NoSuchTableError:
        table = catalog.create_table(identifier, schema=data.schema)
    if table.current_snapshot() is None:
        table.append(data)
    else:
        table.overwrite(data)


def _result(table: pa.Table, name: str) -> MaterializeResult:
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


def customers_table() -> pa.Table:
    rng = random.Random(SEED)
    n = counts()["customers"]
    rows = []
    for customer_id in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{customer_id}@example.com"
        signup = date(2023, 1, 1) + timedelta(days=rng.randrange(365))
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


def products_table() -> pa.Table:
    rng = random.Random(SEED + 1)
    n = counts()["products"]
    categories = [rng.choice(CATEGORIES) for _ in range(n)]
    return pa.table(
        {
            "product_id": pa.array(range(1, n + 1), pa.int64()),
            "name": pa.array([f"Product {i}" for i in range(1, n + 1)], pa.string()),
            "category": pa.array([c.title() if rng.random() < 0.3 else c for c in categories]),
            "price": pa.array([round(rng.uniform(2, 200), 2) for _ in range(n)], pa.float64()),
        }
    )


def orders_table() -> pa.Table:
    rng = random.Random(SEED + 2)
    n, customers = counts()["orders"], counts()["customers"]
    rows = []
    for order_id in range(1, n + 1):
        ordered = EPOCH + timedelta(minutes=rng.randrange(60 * 24 * 365))
        customer = rng.randrange(1, customers + 1)
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


def order_items_table() -> pa.Table:
    rng = random.Random(SEED + 3)
    n, products = counts()["orders"], counts()["products"]
    prices = products_table().column("price").to_pylist()
    rows = []
    for order_id in range(1, n + 1):
        for _ in range(rng.choice((1, 2, 3))):
            product = rng.randrange(1, products + 1)
            rows.append(
                (len(rows) + 1, order_id, product, rng.randrange(1, 5), prices[product - 1])
            )
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            "order_item_id": pa.array(columns[0], pa.int64()),
            "order_id": pa.array(columns[1], pa.int64()),
            "product_id": pa.array(columns[2], pa.int64()),
            "quantity": pa.array(columns[3], pa.int64()),
            "unit_price": pa.array(columns[4], pa.float64()),
        }
    )


@asset(
    group_name="bronze",
    kinds={"python", "iceberg"},
    required_resource_keys={"iceberg"},
    owners=["team:data-engineering"],
)
def bronze_customers(context: AssetExecutionContext) -> MaterializeResult:
    """Customers, including re-sent rows with untidy e-mails."""
    table = customers_table()
    _write(context.resources.iceberg.namespace(NAMESPACE), "customers", table)
    return _result(table, "customers")


@asset(
    group_name="bronze",
    kinds={"python", "iceberg"},
    required_resource_keys={"iceberg"},
    owners=["team:data-engineering"],
)
def bronze_products(context: AssetExecutionContext) -> MaterializeResult:
    """The product catalogue."""
    table = products_table()
    _write(context.resources.iceberg.namespace(NAMESPACE), "products", table)
    return _result(table, "products")


@asset(
    group_name="bronze",
    kinds={"python", "iceberg"},
    required_resource_keys={"iceberg"},
    owners=["team:data-engineering"],
)
def bronze_orders(context: AssetExecutionContext) -> MaterializeResult:
    """Orders; a status change arrives as a new row."""
    table = orders_table()
    _write(context.resources.iceberg.namespace(NAMESPACE), "orders", table)
    return _result(table, "orders")


@asset(
    group_name="bronze",
    kinds={"python", "iceberg"},
    required_resource_keys={"iceberg"},
    owners=["team:data-engineering"],
)
def bronze_order_items(context: AssetExecutionContext) -> MaterializeResult:
    """Order lines (1 to 3 per order)."""
    table = order_items_table()
    _write(context.resources.iceberg.namespace(NAMESPACE), "order_items", table)
    return _result(table, "order_items")
