"""Personal data rights: the requests register with its legal clocks, and the incidents register."""
