from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_consent_request")]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="referrer_leaves_on_hand_over",
            field=models.BooleanField(
                default=False, verbose_name="on a hand-over, I leave the circle of care"
            ),
        ),
    ]
