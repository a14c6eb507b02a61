# SPDX-License-Identifier: GPL-3.0-or-later
# CPack settings for the Windows (WiX, NSIS) and macOS (DragNDrop) generators.
#
# UNTESTED: nobody has built opsdeck on Windows or macOS; these lines were written from the CPack
# documentation and have never produced an installer. They only take effect when one of those
# generators is asked for (cpack -G WIX|NSIS|DragNDrop) on that platform. Known gaps before they
# could work: the ZooKeeper C client has no packaged build on either platform; Qt's runtime has to
# be deployed next to the executable (qt_generate_deploy_app_script() with Qt >= 6.3, i.e.
#   qt_generate_deploy_app_script(TARGET opsdeck OUTPUT_SCRIPT deploy NO_UNSUPPORTED_PLATFORM_ERROR)
#   install(SCRIPT ${deploy} COMPONENT program)
# in packaging/CMakeLists.txt), and inotify-based watching falls back to polling.

# WiX (Windows Installer XML). The upgrade GUID must never change once an .msi is published.
set(CPACK_WIX_UPGRADE_GUID "6F1B6D1E-5B7A-4C5B-9E3A-0D5A7C2F4E61")
set(CPACK_WIX_PRODUCT_ICON "${PROJECT_SOURCE_DIR}/packaging/icons/opsdeck-256.png") # needs an .ico
set(CPACK_WIX_PROGRAM_MENU_FOLDER "opsdeck")
set(CPACK_WIX_PROPERTY_ARPURLINFOABOUT "${PROJECT_HOMEPAGE_URL}")
# WiX wants the licence as .txt or .rtf.
configure_file(${PROJECT_SOURCE_DIR}/packaging/COPYING ${PROJECT_BINARY_DIR}/packaging/COPYING.txt COPYONLY)
set(CPACK_WIX_LICENSE_RTF "${PROJECT_BINARY_DIR}/packaging/COPYING.txt")

# NSIS
set(CPACK_NSIS_DISPLAY_NAME "opsdeck")
set(CPACK_NSIS_PACKAGE_NAME "opsdeck ${PROJECT_VERSION}")
set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MODIFY_PATH ON) # the headless commands are meant to be run from a shell

# macOS DragNDrop: the executable would have to become a MACOSX_BUNDLE (app/CMakeLists.txt) first.
set(CPACK_DMG_VOLUME_NAME "opsdeck ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT "UDZO")
