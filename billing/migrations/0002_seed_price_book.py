from datetime import date
from decimal import Decimal

from django.db import migrations


def seed_price_book(apps, schema_editor):
    from billing.price_seed import PRICE_SEED

    price_entry = apps.get_model("billing", "PriceEntry")
    db = schema_editor.connection.alias
    for row in PRICE_SEED:
        price_entry.objects.using(db).get_or_create(
            provider=row["provider"],
            kind=row["kind"],
            sku=row["sku"],
            valid_from=date.fromisoformat(row["valid_from"]),
            defaults={
                "unit": row["unit"],
                "per_quantity": row["per_quantity"],
                "price": Decimal(row["price"]),
                "currency": row["currency"],
                "note": row["note"][:500],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed_price_book, migrations.RunPython.noop)]
