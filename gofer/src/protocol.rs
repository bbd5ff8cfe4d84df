//! Wire format of the Gofer protocol.
