"""A file kept with a person or a customer organisation."""

from __future__ import annotations

from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField

from accord import TenantModel, User, utcnow

from ..models import CustomerOrganisation, Person


class Document(TenantModel):
    """One file of a person or of a customer organisation (exactly one of the two)."""

    person = ForeignKeyField(Person, null=True, on_delete="CASCADE", backref="+")
    organisation = ForeignKeyField(
        CustomerOrganisation, null=True, on_delete="CASCADE", backref="+"
    )
    filename = CharField(max_length=200)
    description = CharField(max_length=300, default="")
    content_type = CharField(max_length=150)
    size = BigIntegerField()
    stored_name = CharField(max_length=64)
    sha256 = CharField(max_length=64)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    uploaded_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "contacts_document"
        indexes = ((("person", "uploaded_at"), False), (("organisation", "uploaded_at"), False))

    def __str__(self) -> str:
        return str(self.filename)

    @property
    def size_label(self) -> str:
        size = int(self.size)
        if size < 1024 * 1024:
            return f"{max(size / 1024, 0.1):.1f} KB"
        return f"{size / (1024 * 1024):.1f} MB"


DOCUMENT_MODELS = [Document]
