package dailyfeed

// httpFunctions has the constructor of every HTTP function of the route
// table; a test checks that the two agree.
var httpFunctions = map[string]func() Instance{}

// localJobs are the scheduled functions the local runner runs in-process.
var localJobs = []job{}
