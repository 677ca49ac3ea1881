from django.db import migrations

# Twilio's standard opt-out and opt-in words, and their common equivalents in the languages
# the demo business serves. Editable in the admin.
OPT_OUT = {
    "": ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"],
    "es": ["BAJA", "PARAR", "CANCELAR", "DETENER", "NO MAS"],
    "pt": ["PARAR", "SAIR", "CANCELAR"],
    "de": ["STOPP", "ABMELDEN", "ABBESTELLEN"],
    "fr": ["ARRET", "DESABONNER", "DESINSCRIRE"],
    "it": ["BASTA", "DISISCRIVIMI"],
}
OPT_IN = {"": ["START", "UNSTOP", "SUBSCRIBE"], "es": ["ALTA"], "de": ["ANMELDEN"]}


def seed(apps, schema_editor):
    keyword = apps.get_model("conversations", "OptOutKeyword")
    db = schema_editor.connection.alias
    for action, table in (("opt_out", OPT_OUT), ("opt_in", OPT_IN)):
        for language, words in table.items():
            for word in words:
                keyword.objects.using(db).get_or_create(
                    keyword=word, language=language, defaults={"action": action}
                )


class Migration(migrations.Migration):
    dependencies = [("conversations", "0003_opt_out_keywords")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
