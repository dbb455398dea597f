package app

// UserError is a refusal to show as it is: a French message and a hint.
type UserError struct {
	Msg, Hint string
}

func (e *UserError) Error() string { return e.Msg }

func userErr(msg, hint string) error { return &UserError{Msg: msg, Hint: hint} }
