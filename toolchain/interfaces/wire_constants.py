"""What the wire and the descriptors fix, for every module of the interface generator."""

from google.protobuf import descriptor_pb2

MSG_MAX = 256
HEADER_BYTES = 8
# (viper.lease) kinds and the protection the provider maps a lease with.
LEASE_PROT = {"read": "VIPER_PROT_READ", "write": "VIPER_PROT_READ | VIPER_PROT_WRITE"}
MAX_HANDLES = 4
FD = descriptor_pb2.FieldDescriptorProto

# Worst-case encoded payload of scalar types (varints as nanopb counts them).
_SCALAR_MAX = {
    FD.TYPE_INT32: 10, FD.TYPE_INT64: 10, FD.TYPE_UINT32: 5, FD.TYPE_UINT64: 10,
    FD.TYPE_SINT32: 5, FD.TYPE_SINT64: 10, FD.TYPE_BOOL: 1, FD.TYPE_ENUM: 10,
    FD.TYPE_FIXED32: 4, FD.TYPE_SFIXED32: 4, FD.TYPE_FLOAT: 4,
    FD.TYPE_FIXED64: 8, FD.TYPE_SFIXED64: 8, FD.TYPE_DOUBLE: 8,
}
_FIXED_WIDTH = {FD.TYPE_FIXED32, FD.TYPE_SFIXED32, FD.TYPE_FLOAT,
                FD.TYPE_FIXED64, FD.TYPE_SFIXED64, FD.TYPE_DOUBLE}
_NANOPB_FT_STATIC = {0, 2}  # FT_DEFAULT, FT_STATIC

# SourceCodeInfo path components (descriptor.proto field numbers).
_FILE_MESSAGE, _FILE_SERVICE, _FILE_OPTIONS = 4, 6, 8
_MESSAGE_FIELD, _MESSAGE_NESTED = 2, 3
_SERVICE_METHOD = 2

BOUND_FIX = "add a bound: [(nanopb).max_size = N] (string: max_length; repeated: max_count)"


def varint_size(value):
    n = 1
    while value >= 0x80:
        value >>= 7
        n += 1
    return n


# Everything here, underscored names included, for `from wire_constants import *`.
__all__ = [
    "MSG_MAX",
    "HEADER_BYTES",
    "LEASE_PROT",
    "MAX_HANDLES",
    "FD",
    "_SCALAR_MAX",
    "_FIXED_WIDTH",
    "_NANOPB_FT_STATIC",
    "_FILE_MESSAGE",
    "_FILE_SERVICE",
    "_FILE_OPTIONS",
    "_MESSAGE_FIELD",
    "_MESSAGE_NESTED",
    "_SERVICE_METHOD",
    "BOUND_FIX",
    "varint_size",
]
