"""``ictops hostkeys``: placeholder until connections land."""
import click
def register(cli: click.Group) -> None:
    pass
