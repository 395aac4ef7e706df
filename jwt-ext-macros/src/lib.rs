//! Procedural macros for `jwt-ext`.
