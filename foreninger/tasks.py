from celery import shared_task


@shared_task(ignore_result=True)
def ask_foreninger_to_confirm():
    """Run by beat daily: mail "Er det stadig korrekt?" to each forening that is due (every N weeks)."""
    from .services import bekraeft_send, foreninger_due_for_bekraeft

    return sum(bekraeft_send(forening=forening) for forening in foreninger_due_for_bekraeft())
