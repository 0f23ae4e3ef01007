package docker

// Labels on everything the provider creates. A cluster's containers and its
// network carry labelCluster (its id) and labelDriver (who created them);
// the default image carries labelImage.
const (
	labelCluster = "ducktape.cluster"
	labelDriver  = "ducktape.driver" // "<hostname>:<pid>" of the driver process
	labelKeep    = "ducktape.keep"   // "true" when the cluster was kept on purpose
	labelImage   = "ducktape.image"  // "default" on the default image
)
