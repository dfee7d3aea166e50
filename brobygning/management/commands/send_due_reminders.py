"""One pass over the due påmindelser from the command line, for cron-only deployments and debugging."""

from django.core.management.base import BaseCommand

from brobygning.paamindelser import dispatch_due


class Command(BaseCommand):
    help = "Send the reminders that are due now (one dispatch pass) and print the counts."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Take at most this many reminders.")

    def handle(self, *args, limit=None, **options):
        result = dispatch_due(limit=limit)
        self.stdout.write(" ".join(f"{name}={count}" for name, count in result.as_dict().items()))
