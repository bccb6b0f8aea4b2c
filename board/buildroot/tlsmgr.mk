################################################################################
#
# tlsmgr
#
################################################################################

TLSMGR_VERSION = 0.1.0
TLSMGR_SITE = https://github.com/tlsmgr/tlsmgr/releases/download/v$(TLSMGR_VERSION)
TLSMGR_LICENSE = BSD-2-Clause
TLSMGR_LICENSE_FILES = LICENSE
TLSMGR_INSTALL_STAGING = YES
TLSMGR_DEPENDENCIES = host-pkgconf lmdb mbedtls

# board/buildroot/board.h holds the compile-time defaults of this build.
# TARGET_CONFIGURE_OPTS passes CC, AR, OBJCOPY and the flags; a BR2_STATIC_LIBS
# system gets no shared library.
TLSMGR_MAKE_OPTS = BOARD=buildroot PREFIX=/usr SYSCONFDIR=/etc

ifeq ($(BR2_STATIC_LIBS),y)
TLSMGR_MAKE_OPTS += SHARED=0
endif

define TLSMGR_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) \
		$(TLSMGR_MAKE_OPTS)
endef

# The libraries, header and tlsmgr.pc for other packages; man pages are not
# needed.
define TLSMGR_INSTALL_STAGING_CMDS
	$(TARGET_MAKE_ENV) $(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) \
		$(TLSMGR_MAKE_OPTS) DESTDIR=$(STAGING_DIR) install-bin
endef

# install-bin installs the daemon, the library, /etc/tlsmgr/tlsmgr.conf.example
# and, where the target has none yet (a reinstall keeps an edited one),
# /etc/tlsmgr/tlsmgr.conf, whose settings are all commented out.
define TLSMGR_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) \
		$(TLSMGR_MAKE_OPTS) DESTDIR=$(TARGET_DIR) install-bin
endef

define TLSMGR_USERS
	tlsmgr -1 tlsmgr -1 * - - - tlsmgr daemon
endef

# The daemon writes the seed in its own directory after dropping its
# privileges; the configuration stays in a directory only root can change.
define TLSMGR_PERMISSIONS
	/etc/tlsmgr d 0755 root root - - - - -
	/etc/tlsmgr/random d 0700 tlsmgr tlsmgr - - - - -
endef

define TLSMGR_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(TLSMGR_PKGDIR)/S45tlsmgr \
		$(TARGET_DIR)/etc/init.d/S45tlsmgr
endef

define TLSMGR_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(TLSMGR_PKGDIR)/tlsmgr.service \
		$(TARGET_DIR)/usr/lib/systemd/system/tlsmgr.service
endef

$(eval $(generic-package))
