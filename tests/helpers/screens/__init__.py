"""Every window of the app opened for the checks that hold for all of them: the list
(``windows``), the focus chain (``focus``), the Alt+letters (``mnemonics``), and the child that
opens them on a real X server (``x11_windows_child``)."""
