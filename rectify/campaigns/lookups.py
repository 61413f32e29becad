"""Find a campaign from what a person types on a command line: its slug or its exact name."""

from .models import Campaign


def resolve_campaign(value: str) -> Campaign:
    """The live campaign whose slug or exact name is ``value``.

    The slug wins when it matches; a name shared by several campaigns is
    refused rather than guessed. Raises ``Campaign.DoesNotExist`` or
    ``Campaign.MultipleObjectsReturned`` with a message naming ``value``.
    """
    value = (value or "").strip()
    by_slug = Campaign.objects.filter(slug=value).first()
    if by_slug is not None:
        return by_slug
    matches = list(Campaign.objects.filter(name=value)[:2])
    if not matches:
        raise Campaign.DoesNotExist(f"No campaign has the slug or name “{value}”.")
    if len(matches) > 1:
        raise Campaign.MultipleObjectsReturned(
            f"Several campaigns are named “{value}”; give the campaign's slug instead."
        )
    return matches[0]
