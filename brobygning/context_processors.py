def actor(request):
    """The acting user in their centre, for navigation by role."""
    return {"actor": getattr(request, "actor", None)}
