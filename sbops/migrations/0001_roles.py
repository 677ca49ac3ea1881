from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from sbops.roles_sync import apply_role_permissions

    # permissions are normally made after all migrations; make them now so groups can hold them
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    apply_role_permissions(apps, only_add=False, using=schema_editor.connection.alias)


def remove_roles(apps, schema_editor):
    from sbops.core.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("billing", "0002_seed_price_book"),
        ("conversations", "0001_initial"),
        ("channels_app", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
