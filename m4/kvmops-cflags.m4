# KVMOPS_CHECK_CFLAG(FLAG, ACTION-IF-OK, ACTION-IF-NOT)
# Compiles an empty program with FLAG and -Werror, so a flag the compiler
# only warns about counts as unsupported.
AC_DEFUN([KVMOPS_CHECK_CFLAG], [
	AS_VAR_PUSHDEF([kvmops_cv], [kvmops_cv_cflag_$1])
	AC_CACHE_CHECK([whether $CC accepts $1], [kvmops_cv], [
		kvmops_save_CFLAGS=$CFLAGS
		CFLAGS="$CFLAGS -Werror $1"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
			       [AS_VAR_SET([kvmops_cv], [yes])],
			       [AS_VAR_SET([kvmops_cv], [no])])
		CFLAGS=$kvmops_save_CFLAGS])
	AS_VAR_IF([kvmops_cv], [yes], [$2], [$3])
	AS_VAR_POPDEF([kvmops_cv])
])
