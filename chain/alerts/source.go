package alerts

// AddSource adds a further source of alerts (the witnesses of the custody
// log, for one) to a service already made. Call it before the service is
// used: List and All do not lock.
func (s *Service) AddSource(src Source) { s.sources = append(s.sources, src) }
